import { backoffDelay } from '../../runtime/kube/reconcile/backoff.js';

export interface SyncBackoffOptions {
  /** Delay before the first retry, before jitter. @defaultValue 1000 */
  baseMs?: number;
  /** No retry waits longer than this. @defaultValue 300000 (5 minutes) */
  maxMs?: number;
}

/**
 * Delay before retry number `attemptsMade` (1 for the first retry):
 * exponential, capped, with "equal jitter" — half of the step is fixed so
 * delays still grow, half is random so apps failing together (a Redis or
 * cluster blip) do not retry in lockstep.
 */
export function syncBackoffDelay(attemptsMade: number, options: SyncBackoffOptions = {}, random: () => number = Math.random): number {
  return backoffDelay(attemptsMade - 1, { base: options.baseMs ?? 1000, cap: options.maxMs ?? 300_000, jitter: 'equal' }, random);
}
