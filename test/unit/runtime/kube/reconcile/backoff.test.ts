import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, withJitter, type BackoffPolicy } from '../../../../../runtime/kube/reconcile/backoff.js';

describe('backoffDelay', () => {
  const kubelet: BackoffPolicy = { base: 10, cap: 300 };
  it.each([
    [0, kubelet, 10],
    [1, kubelet, 20],
    [4, kubelet, 160],
    [5, kubelet, 300],
    [5000, kubelet, 300],
    [3, { base: 1000, cap: 60_000, factor: 3 }, 27_000],
    [10_000, { base: 0, cap: 100 }, 0],
    [-1, kubelet, 10],
  ])('attempt %i of %o waits %i', (attempt, policy, want) => {
    expect(backoffDelay(attempt, policy)).toBe(want);
  });

  it.each([
    ['full', 0, 0],
    ['full', 0.999, 999],
    ['equal', 0, 500],
    ['equal', 1, 1000],
    [0.1, 0, 900],
    [0.1, 1, 1100],
    [0.1, 0.5, 1000],
  ] as const)('jitter %s with random %d spreads 1000 to %i', (jitter, random, want) => {
    expect(backoffDelay(0, { base: 1000, cap: 5000, jitter }, () => random)).toBe(want);
    expect(withJitter(1000, jitter, () => random)).toBe(want);
  });
});

describe('Backoff', () => {
  it('grows per key and starts over after forget', () => {
    const b = new Backoff({ base: 10, cap: 25 });
    expect([b.next('a'), b.next('a'), b.next('a'), b.next('b')]).toEqual([10, 20, 25, 10]);
    expect(b.failuresOf('a')).toBe(3);
    b.forget('a');
    expect(b.next('a')).toBe(10);
  });
});
