import type { KubeObject } from '../kube/object.js';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  reason?: string;
  message?: string;
}

export function podReadyCondition(pod: KubeObject): PodCondition | undefined {
  return (pod.status?.conditions as PodCondition[] | undefined)?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: KubeObject): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * Ready for at least `minReadySeconds` (podutil.IsPodAvailable). Returns the
 * ms until it will be, when it is ready but not yet long enough.
 */
export function podAvailability(pod: KubeObject, minReadySeconds: number, now: number): { available: boolean; inMs?: number } {
  const ready = podReadyCondition(pod);
  if (ready?.status !== 'True') return { available: false };
  if (minReadySeconds <= 0) return { available: true };
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  if (Number.isNaN(since)) return { available: false };
  const at = since + minReadySeconds * 1000;
  return at < now ? { available: true } : { available: false, inMs: at - now + 1 };
}

/** Finished for good: phase Succeeded or Failed. */
export function isPodTerminal(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Counted by its controller: not being deleted and not finished (controller.FilterActivePods). */
export function isPodActive(pod: KubeObject): boolean {
  return !pod.metadata.deletionTimestamp && !isPodTerminal(pod);
}

export function maxRestarts(pod: KubeObject): number {
  let max = 0;
  for (const s of (pod.status?.containerStatuses ?? []) as Array<{ restartCount?: number }>) max = Math.max(max, s.restartCount ?? 0);
  return max;
}
