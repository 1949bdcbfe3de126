import { backoffDelay } from '../../../runtime/kube/reconcile/backoff.js';

/**
 * Exponential back-off with full jitter: a random wait in
 * [0, min(maxMs, baseMs · 2^attempt)), so many controllers retrying after
 * the same outage do not hit the API in step.
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, { base: baseMs, cap: maxMs, jitter: 'full' }, random);
}
