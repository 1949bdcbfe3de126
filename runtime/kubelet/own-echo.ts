import type { WatchEvent } from '../kube/object.js';
import type { KubeletContext } from './kubelet-context.js';

/**
 * False for watch events that only echo the kubelet's own writes of a pod (a
 * burst of 1,000 pods paid a full sync of each to find it as written), as
 * Kubernetes' kubelet ignores status-only updates. Those writes are made with
 * the resourceVersion read as precondition, so every version up to the last
 * one written was seen by the sync that wrote it; anything newer wakes the
 * pod, and probe results and exits wake it directly.
 */
export function ownEcho(ctx: KubeletContext, event: WatchEvent): boolean {
  const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
  const written = Number(ctx.ownStatusWrites.get(key));
  if (event.type === 'MODIFIED' && Number(event.object.metadata.resourceVersion) <= written) return false;
  ctx.ownStatusWrites.delete(key);
  return true;
}
