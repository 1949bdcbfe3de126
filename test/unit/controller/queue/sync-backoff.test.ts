import { describe, expect, it } from 'vitest';
import { syncBackoffDelay } from '../../../../controller/queue/sync-backoff.js';

describe('syncBackoffDelay', () => {
  const options = { baseMs: 1000, maxMs: 60_000 };
  it.each([
    // attemptsMade, random, expected: half the step fixed, half random
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 0.5, 3000],
    [6, 1, 32_000],
    [7, 0, 30_000], // 64 s capped at 60 s
    [20, 1, 60_000],
  ])('retry %i with random %d waits %i ms', (attemptsMade, random, expected) => {
    expect(syncBackoffDelay(attemptsMade, options, () => random)).toBe(expected);
  });

  it('spreads retries of the same attempt', () => {
    const delays = new Set(Array.from({ length: 20 }, () => syncBackoffDelay(4, options)));
    expect(delays.size).toBeGreaterThan(1);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4000);
  });
});
