/** How a delay grows with failures in a row. */
export interface BackoffPolicy {
  /** The delay after the first failure (attempt 0), before jitter. Any unit: ms or seconds, as the caller counts. */
  base: number;
  /** The longest delay, before jitter. */
  cap: number;
  /**
   * What each further failure multiplies the delay by.
   * @defaultValue 2
   */
  factor?: number;
  /**
   * How the delay is spread, so many keys failing together do not retry in step:
   * `'full'` anywhere in [0, delay), `'equal'` in [delay/2, delay] (half fixed, so
   * delays still grow), a number f in delay·(1 ± f).
   * @defaultValue none: exactly the delay
   */
  jitter?: 'full' | 'equal' | number;
}

/**
 * The one exponential back-off of baton: the delay before retry after
 * `attempt + 1` failures in a row (attempt 0 is the first retry), that is
 * min(cap, base · factor^attempt), then jittered.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const raw = policy.base * (policy.factor ?? 2) ** Math.max(0, attempt);
  // Past ~2^1000 the power is Infinity, and 0 · Infinity is NaN: the cap holds for both.
  const delay = policy.base <= 0 ? 0 : Number.isFinite(raw) ? Math.min(policy.cap, raw) : policy.cap;
  return policy.jitter === undefined ? delay : withJitter(delay, policy.jitter, random);
}

/** `delay` spread as BackoffPolicy.jitter says (also for plain intervals, so pollers do not run in lock-step). */
export function withJitter(delay: number, jitter: 'full' | 'equal' | number, random: () => number = Math.random): number {
  if (jitter === 'full') return Math.floor(random() * delay);
  if (jitter === 'equal') return Math.round(delay / 2 + random() * (delay / 2));
  return Math.max(0, Math.round(delay * (1 + jitter * (2 * random() - 1))));
}

/** Per-key failure counts for backoffDelay; a key is forgotten after a success. */
export class Backoff {
  private readonly failures = new Map<string, number>();

  constructor(private readonly policy: BackoffPolicy) {}

  /** Counts one more failure of `key` and returns how long to wait before its retry. */
  next(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return backoffDelay(n, this.policy);
  }

  /** Failures of `key` in a row so far. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
