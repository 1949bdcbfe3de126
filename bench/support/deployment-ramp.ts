import type { Cluster } from '../../runtime/objects/cluster.js';
import { resources } from '../../runtime/resources/registry.js';
import { sleep } from './bare-runc.js';

export interface RampResult {
  /** From the create until every pod object exists. */
  createdMs: number;
  /** From the create until every pod's Ready condition is True. */
  readyMs: number;
  /** When a quarter, half and three quarters of the pods were Ready. */
  quarters: Array<{ fraction: number; ms: number }>;
  /** From scaling to 0 until no pod object is left. */
  downMs: number;
}

const isReady = (pod: { status?: { conditions?: Array<{ type: string; status: string }> } }) =>
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * Creates a Deployment of `replicas` pods of `podSpec` and times it until
 * every pod is Ready (pods' own condition, not the Deployment's status, which
 * lags by a controller pass); then scales it to 0, times that, and deletes it.
 */
export async function rampDeployment(
  cluster: Cluster,
  namespace: string,
  name: string,
  replicas: number,
  podSpec: Record<string, unknown>,
  progress: (elapsedMs: number, pods: number, ready: number) => void,
  interrupted: () => boolean,
): Promise<RampResult> {
  const labels = { app: name };
  const listPods = async () => (await cluster.list(resources.pods, { namespace, labelSelector: `app=${name}` })).items;
  const t0 = performance.now();
  await cluster.create(resources.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  });
  let createdMs = 0;
  let lastReport = 0;
  const quarters: RampResult['quarters'] = [];
  const fractions = [0.25, 0.5, 0.75];
  for (;;) {
    const items = await listPods();
    const ready = items.filter(isReady).length;
    const elapsed = performance.now() - t0;
    if (!createdMs && items.length >= replicas) createdMs = elapsed;
    while (fractions.length && ready >= fractions[0] * replicas) quarters.push({ fraction: fractions.shift()!, ms: elapsed });
    if (ready >= replicas) break;
    if (elapsed - lastReport >= 5000) {
      lastReport = elapsed;
      progress(elapsed, items.length, ready);
    }
    if (elapsed > 10 * 60_000) throw new Error(`${name}: ${ready} of ${replicas} pods Ready after 10 min`);
    if (interrupted()) throw new Error('interrupted');
    await sleep(50);
  }
  const readyMs = performance.now() - t0;

  const t1 = performance.now();
  const deployment = await cluster.get(resources.deployments, namespace, name);
  await cluster.update(resources.deployments, { ...deployment, spec: { ...deployment.spec, replicas: 0 } });
  for (;;) {
    const left = (await listPods()).length;
    if (left === 0) break;
    if (performance.now() - t1 > 10 * 60_000) throw new Error(`${name}: ${left} pods still there 10 min after scaling to 0`);
    if (interrupted()) throw new Error('interrupted');
    await sleep(100);
  }
  const downMs = performance.now() - t1;
  await cluster.delete(resources.deployments, namespace, name);
  return { createdMs, readyMs, quarters, downMs };
}
