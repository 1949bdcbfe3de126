import type { Cluster } from '../objects/cluster.js';
import type { WatchEvent } from '../kube/object.js';
import type { ResourceType } from '../resources/registry.js';
import { controllerRefOf } from './controller-ref.js';
import { selectorIsEmpty, selectorMatches } from '../kube/label-selector.js';

/**
 * The keys of `ownerType` objects a pod event concerns: the owner that
 * controls the pod, or for an orphan every owner whose selector would adopt
 * it (the controller ref manager's view, shared by the ReplicaSet and Job controllers).
 */
export async function podOwnerKeys(cluster: Cluster, ownerType: ResourceType, e: WatchEvent): Promise<string[]> {
  const pod = e.object;
  const ns = pod.metadata.namespace;
  const ref = controllerRefOf(pod);
  if (ref) return ref.kind === ownerType.kind ? [`${ns}/${ref.name}`] : [];
  if (e.type === 'DELETED' || pod.metadata.deletionTimestamp) return [];
  const owners = await cluster.list(ownerType, { namespace: ns });
  return owners.items
    .filter((o) => !selectorIsEmpty(o.spec?.selector) && selectorMatches(o.spec.selector, pod.metadata.labels))
    .map((o) => `${ns}/${o.metadata.name}`);
}
