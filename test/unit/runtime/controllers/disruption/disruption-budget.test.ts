import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { budgetStatus, countHealthy, expectedCounts, liveDisruptedPods } from '../../../../../runtime/controllers/disruption/disruption-budget.js';
import { decrementedBudget, evictionVerdict } from '../../../../../runtime/controllers/disruption/eviction-check.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

const pdb = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'ns', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status: { observedGeneration: 1, ...status },
});

const pod = (name: string, ready = true, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', labels: { app: 'web' }, ...extra },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('expected and desired healthy pods (getExpectedPodCount)', () => {
  it.each([
    ['minAvailable int: the pods selected', { minAvailable: 2 }, { expectedPods: 3, desiredHealthy: 2 }],
    ['minAvailable percent: of the controllers scale, rounded up', { minAvailable: '50%' }, { expectedPods: 5, desiredHealthy: 3 }],
    ['maxUnavailable: scale minus it, rounded up', { maxUnavailable: '30%' }, { expectedPods: 5, desiredHealthy: 3 }],
    ['maxUnavailable above the scale: never below 0', { maxUnavailable: 9 }, { expectedPods: 5, desiredHealthy: 0 }],
  ])('%s', (_what, spec, want) => {
    expect(expectedCounts(pdb(spec), 3, () => 5)).toEqual(want);
  });
});

describe('budget status', () => {
  it('allows currentHealthy - desiredHealthy disruptions, not counting unready, deleting or just evicted pods', () => {
    const pods = [pod('a'), pod('b'), pod('c', false), pod('d', true, { deletionTimestamp: '2026-01-01T00:09:00Z' }), pod('e')];
    const disrupted = { e: '2026-01-01T00:09:30Z' };
    const healthy = countHealthy(pods, disrupted);
    expect(healthy).toBe(2);
    const status = budgetStatus(pdb({ minAvailable: 1 }), { currentHealthy: healthy, desiredHealthy: 1, expectedPods: 5 }, disrupted, NOW);
    expect(status).toMatchObject({ disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 5, disruptedPods: disrupted });
    expect(status.conditions![0]).toMatchObject({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' });
  });

  it('forgets an evicted pod once it is being deleted or two minutes passed', () => {
    const budget = pdb({}, { disruptedPods: { a: '2026-01-01T00:09:30Z', b: '2026-01-01T00:07:00Z', c: '2026-01-01T00:09:30Z' } });
    const { disrupted, recheckInMs } = liveDisruptedPods(budget, [pod('a'), pod('b'), pod('c', true, { deletionTimestamp: 'x' })], NOW);
    expect(disrupted).toEqual({ a: '2026-01-01T00:09:30Z' });
    expect(recheckInMs).toBe(90_000);
  });
});

describe('eviction', () => {
  it('deletes without a budget a pod that is pending, finished or unbudgeted', () => {
    expect(evictionVerdict({ ...pod('a'), status: { phase: 'Pending' } }, [pdb({})])).toEqual({ action: 'delete' });
    expect(evictionVerdict(pod('a'), [])).toEqual({ action: 'delete' });
  });

  it('an unready pod goes free when the budget is healthy (IfHealthyBudget) or always (AlwaysAllow)', () => {
    expect(evictionVerdict(pod('a', false), [pdb({}, { currentHealthy: 2, desiredHealthy: 2 })])).toEqual({ action: 'delete' });
    expect(evictionVerdict(pod('a', false), [pdb({}, { currentHealthy: 1, desiredHealthy: 2 })]).action).toBe('decrement');
    expect(evictionVerdict(pod('a', false), [pdb({ unhealthyPodEvictionPolicy: 'AlwaysAllow' }, { currentHealthy: 0, desiredHealthy: 2 })])).toEqual({ action: 'delete' });
  });

  it('more than one budget is an error', () => {
    expect(() => evictionVerdict(pod('a'), [pdb({}), pdb({})])).toThrow(/more than one PodDisruptionBudget/);
  });

  it('takes one disruption and remembers the pod, or answers 429 with the budget cause', () => {
    const next = decrementedBudget(pdb({}, { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2 }), 'a', new Date(NOW));
    expect(next.status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { a: '2026-01-01T00:10:00Z' } });
    expect(() => decrementedBudget(pdb({}, { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }), 'a', new Date(NOW))).toThrow(
      expect.objectContaining({ code: 429, reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] } }),
    );
    const stale = { ...pdb({}, { disruptionsAllowed: 1 }), metadata: { name: 'web', namespace: 'ns', generation: 2 } };
    expect(() => decrementedBudget(stale, 'a', new Date(NOW))).toThrow(expect.objectContaining({ code: 429, details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }] } }));
  });
});
