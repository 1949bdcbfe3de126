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
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 300_000;
  const step = Math.min(max, base * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
