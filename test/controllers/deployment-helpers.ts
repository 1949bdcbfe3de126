import type { Cluster } from '../../runtime/objects/cluster.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';

export function deployment(ns: string, name: string, spec: Record<string, unknown> = {}, image = 'app:1'): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...spec,
    },
  };
}

/** kubectl's DeploymentStatusViewer, so tests assert what `kubectl rollout status` would print. */
export function rolloutStatus(d: KubeObject): { message: string; done: boolean; error?: string } {
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  const progressing = (s.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { message: '', done: false, error: `deployment "${d.metadata.name}" exceeded its progress deadline` };
  }
  const want = d.spec.replicas;
  const updated = s.updatedReplicas ?? 0;
  if (want !== undefined && updated < want) return { message: `${updated} out of ${want} new replicas have been updated...`, done: false };
  if ((s.replicas ?? 0) > updated) return { message: `${(s.replicas ?? 0) - updated} old replicas are pending termination...`, done: false };
  if ((s.availableReplicas ?? 0) < updated) return { message: `${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${d.metadata.name}" successfully rolled out`, done: true };
}

export async function replicaSetsOf(cluster: Cluster, ns: string, d: string): Promise<KubeObject[]> {
  const list = await cluster.list(resources.replicasets, { namespace: ns, labelSelector: `app=${d}` });
  return list.items.sort((a, b) => revision(a) - revision(b));
}

export function revision(obj: KubeObject): number {
  return Number(obj.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
}

export function condition(d: KubeObject, type: string): { status: string; reason: string; message: string } | undefined {
  return d.status?.conditions?.find((c: { type: string }) => c.type === type);
}

export async function setTemplate(cluster: Cluster, ns: string, name: string, change: (d: KubeObject) => void): Promise<KubeObject> {
  for (;;) {
    const d = await cluster.get(resources.deployments, ns, name);
    change(d);
    try {
      return await cluster.update(resources.deployments, d);
    } catch (err: any) {
      if (err?.code !== 409) throw err;
    }
  }
}
