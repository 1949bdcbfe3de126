import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { ObjectCache } from '../object-cache.js';
import {
  done,
  keyOf,
  splitKey,
  startReconciler,
  type ReconcileResult,
  type ReconcilerLogger,
  type RunningReconciler,
} from '../reconciler.js';
import { endpointSubsets } from './endpoint-subsets.js';
import { ServiceIndex } from './service-index.js';

const COMPONENT = 'endpoint-controller';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface EndpointsControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /** @defaultValue 4 */
  concurrency?: number;
}

/** Keeps an Endpoints object per selector-bearing Service listing its ready (and not-ready) pods. */
export function startEndpointsController(options: EndpointsControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const index = new ServiceIndex();
  const pods = new ObjectCache();
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.services,
    logger: options.logger,
    concurrency: options.concurrency,
    // Each reconcile lists every pod concerned; with thousands, let a burst of pod events coalesce.
    spacingFactor: 2,
    reconcile: (key) => reconcileEndpoints(cluster, index, pods, key),
    watches: [
      {
        type: resources.pods,
        onSync: (items) => pods.replaceAll(items),
        keysFor: (e: WatchEvent) => {
          pods.apply(e);
          return index.servicesFor(e.object);
        },
      },
      // Someone edited or deleted an Endpoints we manage: put it back.
      { type: resources.endpoints, keysFor: (e: WatchEvent) => [keyOf(e.object)] },
    ],
  });
}

function hasSelector(service: KubeObject): boolean {
  const s = service.spec?.selector;
  return !!s && Object.keys(s).length > 0 && service.spec?.type !== 'ExternalName';
}

async function reconcileEndpoints(cluster: Cluster, index: ServiceIndex, cache: ObjectCache, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let service: KubeObject;
  try {
    service = await cluster.get(resources.services, namespace, name);
  } catch (err: any) {
    if (err?.code !== 404) throw err;
    index.setSelector(key, undefined);
    index.setMembers(key, new Set());
    await ignoreNotFound(cluster.delete(resources.endpoints, namespace, name));
    return done;
  }
  // A Service without a selector has hand-made Endpoints; they are not ours to touch.
  if (!hasSelector(service)) {
    index.setSelector(key, undefined);
    index.setMembers(key, new Set());
    return done;
  }
  if (service.metadata.deletionTimestamp) return done;
  index.setSelector(key, service.spec.selector);

  const selector: Record<string, string> = service.spec.selector;
  const pods = cache.list(String(namespace)).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
  const subsets = endpointSubsets(service, pods);
  const members = new Set<string>();
  for (const s of subsets) for (const a of [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]) members.add(`${namespace}/${a.targetRef.name}`);
  index.setMembers(key, members);

  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (service.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  let current: KubeObject | undefined;
  try {
    current = await cluster.get(resources.endpoints, namespace, name);
  } catch (err: any) {
    if (err?.code !== 404) throw err;
  }
  if (!current) {
    const created: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels } };
    if (subsets.length) created.subsets = subsets;
    try {
      await cluster.create(resources.endpoints, created);
    } catch (err: any) {
      // Created meanwhile (e.g. by a client); the next reconcile, woken by its watch event, updates it.
      if (err?.reason !== 'AlreadyExists') throw err;
    }
    return done;
  }
  if (semanticEqual(current.subsets ?? [], subsets) && semanticEqual(current.metadata.labels ?? {}, labels)) return done;
  const next: KubeObject = { ...current, metadata: { ...current.metadata, labels } };
  if (subsets.length) next.subsets = subsets;
  else delete next.subsets;
  await cluster.update(resources.endpoints, next, { fieldManager: COMPONENT });
  return done;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err: any) {
    if (err?.code !== 404) throw err;
  }
}
