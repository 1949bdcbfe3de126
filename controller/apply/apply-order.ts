import type { KubernetesObject } from '@kubernetes/client-node';
import { applyRank } from '../../runtime/kube/apply-order.js';

/** The objects in apply order; stable, so objects of one rank keep the order they were rendered in. */
export function sortForApply<T extends KubernetesObject>(objects: readonly T[]): T[] {
  return objects
    .map((object, index) => ({ object, index, rank: applyRank(object.kind) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.object);
}
