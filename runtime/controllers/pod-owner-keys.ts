import type { Cluster } from '../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';
import type { ResourceType } from '../resources/registry.js';
import { controllerRefOf } from './controller-ref.js';
import { selectorIsEmpty, selectorMatches, type LabelSelector } from '../kube/label-selector.js';

/**
 * The keys of `ownerType` objects a pod event concerns: the owner that
 * controls the pod, or for an orphan every owner whose selector would adopt
 * it (the controller ref manager's view, shared by the ReplicaSet and Job controllers).
 */
export async function podOwnerKeys(
  cluster: Cluster,
  ownerType: ResourceType,
  e: WatchEvent,
  selectorOf: (owner: KubeObject) => LabelSelector | undefined = (o) => o.spec?.selector,
): Promise<string[]> {
  const pod = e.object;
  const ns = pod.metadata.namespace;
  const ref = controllerRefOf(pod);
  if (ref) return ref.kind === ownerType.kind ? [`${ns}/${ref.name}`] : [];
  if (e.type === 'DELETED' || pod.metadata.deletionTimestamp) return [];
  const owners = await cluster.list(ownerType, { namespace: ns });
  return owners.items
    .filter((o) => !selectorIsEmpty(selectorOf(o)) && selectorMatches(selectorOf(o), pod.metadata.labels))
    .map((o) => `${ns}/${o.metadata.name}`);
}
