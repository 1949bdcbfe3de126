import type { KubernetesObject } from '@kubernetes/client-node';
import { applyRank } from '../../runtime/kube/apply-order.js';

// Re-exported only for controller/sync/live-objects.ts until the sync imports runtime/kube/cluster-scoped.js itself.
export { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';

/** The objects in apply order; stable, so objects of one rank keep the order they were rendered in. */
export function sortForApply<T extends KubernetesObject>(objects: readonly T[]): T[] {
  return objects
    .map((object, index) => ({ object, index, rank: applyRank(object.kind) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.object);
}
