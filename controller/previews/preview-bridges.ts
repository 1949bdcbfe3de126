import type { KubernetesObject } from '@kubernetes/client-node';
import type { AppSpec } from '../apps/app-spec.js';
import { applyObjects } from '../apply/apply-objects.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import type { StateStore } from '../state/state-store.js';
import { readLiveObjects, withNamespace } from '../clusters/live-objects.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { previewNamespace } from '../apps/preview-names.js';
import { PREVIEW_LABEL } from '../plan/preview-transform.js';
import { previewNetworkPolicy, type BridgedDependency } from './preview-network-policy.js';

/** Marks a bridge Service (and its Endpoints) with the production app it reaches. */
export const BRIDGE_LABEL = 'baton.dev/bridge-of';

/** The app name bridges are applied (and pruned) as: `_` keeps it apart from every declared or preview app. */
export function bridgesAppName(number: number): string {
  return `${previewNamespace(number)}._bridges`;
}

interface ServiceSpec {
  clusterIP?: string;
  selector?: Record<string, string>;
  type?: string;
  ports?: Array<{ name?: string; port: number; protocol?: string }>;
}

/**
 * A preview holds only the preview-enabled apps. For every app they depend
 * on that is not previewed, the preview's namespace gets a Service of the
 * same name with no selector, whose Endpoints point at the production
 * Service's cluster IP: pods of the preview find it under the usual
 * `<NAME>_SERVICE_HOST` variables and reach the real neighbour. Bridges no
 * longer needed are pruned. Production apps not synced yet get no bridge.
 * The namespace's NetworkPolicy (preview-network-policy.ts) is applied in the
 * same set, so what a preview may reach of production is exactly what is bridged.
 */
export async function applyPreviewBridges(options: {
  target: ClusterTarget;
  number: number;
  /** The preview's specs (from previewAppSpec): their dependsOn names production apps that are not previewed. */
  previews: readonly AppSpec[];
  state: Pick<StateStore, 'getApp' | 'getHealthyManifests'>;
  signal?: AbortSignal;
}): Promise<string[]> {
  const namespace = previewNamespace(options.number);
  const production = [...new Set(options.previews.flatMap((p) => p.dependsOn).filter((d) => !d.includes('.')))].sort();
  const bridges: KubeObject[] = [];
  const bridged: string[] = [];
  const dependencies: BridgedDependency[] = [];
  for (const app of production) {
    const status = await options.state.getApp(app);
    const kept = status?.revision ? await options.state.getHealthyManifests(app, status.revision) : undefined;
    if (!status || !kept) continue;
    const services = withNamespace(
      kept.objects.filter((o) => o.kind === 'Service'),
      status.namespace,
    );
    for (const live of await readLiveObjects(options.target, services)) {
      const spec = (live as { spec?: ServiceSpec }).spec ?? {};
      if (!spec.clusterIP || spec.clusterIP === 'None' || !spec.ports?.length) continue;
      bridges.push(...bridgeObjects(live.metadata.name ?? '', namespace, app, options.number, spec));
      bridged.push(`${app}: Service ${live.metadata.name} → ${spec.clusterIP}`);
      dependencies.push({ app, namespace: live.metadata.namespace ?? status.namespace, ...(spec.selector ? { selector: spec.selector } : {}), clusterIP: spec.clusterIP });
    }
  }
  await applyObjects({
    target: options.target,
    app: { name: bridgesAppName(options.number), namespace, syncPolicy: { prune: true } },
    objects: [previewNetworkPolicy(options.number, dependencies), ...bridges] as KubernetesObject[],
    signal: options.signal,
  });
  return bridged;
}

/** A bridge: a Service in the preview's namespace whose only endpoint is the production Service's ClusterIP. */
export function bridgeObjects(name: string, namespace: string, app: string, number: number, spec: ServiceSpec): KubeObject[] {
  const labels = { [PREVIEW_LABEL]: String(number), [BRIDGE_LABEL]: app };
  const ports = spec.ports!.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' }));
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { type: 'ClusterIP', ports } },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels },
      subsets: [{ addresses: [{ ip: spec.clusterIP }], ports }],
    },
  ] as KubeObject[];
}
