import type { DeleteOptions } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources, type ResourceType } from '../resources/registry.js';
import { FOREGROUND_FINALIZER } from './garbage-collector.js';
import { timestamp } from './object-rules.js';

/**
 * What a delete does to a stored object other than a Namespace: 'remove' it
 * now, or the object marked with deletionTimestamp (grace period, finalizers,
 * foreground propagation) to store instead.
 */
export function planDeletion(type: ResourceType, existing: KubeObject, options: DeleteOptions, hasDependents: boolean): 'remove' | KubeObject {
  const finalizers = [...(existing.metadata.finalizers ?? [])];
  if (options.propagationPolicy === 'Foreground' && hasDependents && !finalizers.includes(FOREGROUND_FINALIZER)) {
    finalizers.push(FOREGROUND_FINALIZER);
  }
  const grace = gracePeriodOf(type, existing, options);
  if (grace === 0 && finalizers.length === 0) return 'remove';
  const next = structuredClone(existing);
  const m = next.metadata;
  if (finalizers.length > 0) m.finalizers = finalizers;
  // A second delete may shorten a running grace period, never lengthen it.
  if (!m.deletionTimestamp || grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
    // Kubernetes: deletionTimestamp is when the object will be gone if the grace period runs out.
    m.deletionTimestamp = timestamp(grace);
    m.deletionGracePeriodSeconds = grace;
  }
  if (!existing.metadata.deletionTimestamp && type.hasGeneration) m.generation = (m.generation ?? 0) + 1;
  return next;
}

/** Pods on a node stop gracefully (the kubelet finishes them with a zero grace period); everything else goes at once. */
function gracePeriodOf(type: ResourceType, object: KubeObject, options: DeleteOptions): number {
  if (type.group !== '' || type.plural !== resources.pods.plural) return 0;
  const phase = object.status?.phase;
  if (!object.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return Math.max(0, options.gracePeriodSeconds ?? object.spec?.terminationGracePeriodSeconds ?? 30);
}
