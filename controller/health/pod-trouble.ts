import type { V1Pod } from '@kubernetes/client-node';
import { containerProblem, restartProblem } from './diagnose-pods.js';

/**
 * How long after a restart a running, ready container still counts as
 * crash-looping: a server that runs a few seconds between back-offs is ready
 * now and then, and the app must not look Healthy in those seconds.
 */
export const RECENT_RESTART_MS = 60_000;

/**
 * What makes a pod Degraded rather than starting, in plain words; undefined
 * when it is healthy or merely not ready yet. Degraded: it failed, a
 * container is crash-looping or exited with an error, or a container
 * restarted and is not ready again, or restarted less than RECENT_RESTART_MS ago.
 */
export function podTrouble(pod: V1Pod, now: number): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const name = pod.metadata?.name ?? '';
  if (pod.status?.phase === 'Failed') return `pod ${name} failed${pod.status.reason ? ` (${pod.status.reason})` : ''}${pod.status.message ? `: ${pod.status.message}` : ''}`;
  if (pod.status?.phase === 'Succeeded') return undefined;
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const problem = containerProblem(cs);
    const restarted = (cs.restartCount ?? 0) > 0;
    if (problem && (problem.cause === 'CrashLoopBackOff' || problem.cause === 'Terminated' || restarted)) return `pod ${name}: ${problem.message}`;
    const started = cs.state?.running?.startedAt;
    const since = started === undefined ? NaN : now - new Date(started).getTime();
    if (!problem && restarted && since < RECENT_RESTART_MS) return `pod ${name}: ${restartProblem(cs)!.message}; running again for ${Math.max(0, Math.round(since / 1000))}s`;
  }
  return undefined;
}
