import { describe, expect, it } from 'vitest';
import { calculateResourceReplicas, MetricCalculationError, type CalculatorPod, type PodMetric, type ResourceTarget } from '../../../../runtime/controllers/hpa/replica-calculator.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const longAgo = now - 10 * 60_000;

/** A pod running and ready for ten minutes, requesting `requestMilli`. */
function pod(name: string, requestMilli = 1000, extra: Partial<CalculatorPod> = {}): CalculatorPod {
  return { name, phase: 'Running', deleting: false, startTime: longAgo, ready: { status: 'True', lastTransitionTime: longAgo }, requestMilli, ...extra };
}

function metrics(values: Record<string, number>): Map<string, PodMetric> {
  return new Map(Object.entries(values).map(([name, valueMilli]) => [name, { valueMilli, timestamp: now - 1000, windowMs: 15_000 }]));
}

const utilization = (averageUtilization: number): ResourceTarget => ({ type: 'Utilization', averageUtilization });

// Cases from kube-controller-manager's replica_calculator_test.go and the HPA documentation's algorithm section.
describe('HPA replica calculation (Resource metrics)', () => {
  const cases: Array<{ name: string; current: number; pods: CalculatorPod[]; usage: Record<string, number>; target: ResourceTarget; resource?: string; replicas: number; utilization?: number }> = [
    { name: 'scale up: 50% of requests against a 30% target', current: 3, pods: [pod('a'), pod('b'), pod('c')], usage: { a: 300, b: 500, c: 700 }, target: utilization(30), replicas: 5, utilization: 50 },
    { name: 'scale down: 28% against 50%', current: 5, pods: ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n)), usage: { a: 100, b: 300, c: 500, d: 250, e: 250 }, target: utilization(50), replicas: 3, utilization: 28 },
    { name: 'within the 10% tolerance: no change', current: 3, pods: [pod('a', 900), pod('b', 1000), pod('c', 1100)], usage: { a: 1010, b: 1030, c: 1020 }, target: utilization(100), replicas: 3, utilization: 102 },
    { name: 'doubles when usage is twice the target (200m against 100m)', current: 2, pods: [pod('a'), pod('b')], usage: { a: 200, b: 200 }, target: { type: 'AverageValue', averageValueMilli: 100 }, replicas: 4 },
    { name: 'halves when usage is half the target (50m against 100m)', current: 4, pods: ['a', 'b', 'c', 'd'].map((n) => pod(n)), usage: { a: 50, b: 50, c: 50, d: 50 }, target: { type: 'AverageValue', averageValueMilli: 100 }, replicas: 2 },
    {
      name: 'scale up with an unready pod: it counts as using nothing',
      current: 3,
      pods: [pod('a', 1000, { ready: { status: 'False', lastTransitionTime: longAgo + 1000 } }), pod('b'), pod('c')],
      usage: { a: 300, b: 500, c: 700 },
      target: utilization(30),
      replicas: 4,
      utilization: 60,
    },
    {
      name: 'scale down with a pod without metrics: it counts as using its whole request',
      current: 4,
      pods: ['a', 'b', 'c', 'd'].map((n) => pod(n)),
      usage: { a: 100, b: 100, c: 100 },
      target: utilization(50),
      replicas: 3,
      utilization: 10,
    },
    {
      name: 'a pod being deleted and a failed pod are ignored',
      current: 3,
      pods: [pod('a'), pod('b', 1000, { deleting: true }), pod('c', 1000, { phase: 'Failed' })],
      usage: { a: 1000, b: 0, c: 0 },
      target: utilization(50),
      replicas: 2,
      utilization: 100,
    },
    { name: 'memory: AverageValue of bytes (in milli-units)', resource: 'memory', current: 1, pods: [pod('a', 0)], usage: { a: 300e6 * 1000 }, target: { type: 'AverageValue', averageValueMilli: 100e6 * 1000 }, replicas: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = calculateResourceReplicas({ currentReplicas: c.current, resource: c.resource ?? 'cpu', target: c.target, pods: c.pods, metrics: metrics(c.usage), now });
      expect(result.replicas).toBe(c.replicas);
      if (c.utilization !== undefined) expect(result.utilization).toBe(c.utilization);
    });
  }

  it('a pod whose CPU window started before it turned ready is left out while it initialises', () => {
    const started = now - 20_000;
    const fresh = pod('b', 1000, { startTime: started, ready: { status: 'True', lastTransitionTime: now - 5000 } });
    // Without b, a alone is at 100% of a 50% target: 2 pods asked for, b counting as 0 since it is not ready for a full window.
    const result = calculateResourceReplicas({ currentReplicas: 2, resource: 'cpu', target: utilization(50), pods: [pod('a'), fresh], metrics: metrics({ a: 1000, b: 1000 }), now });
    expect(result.utilization).toBe(100);
    expect(result.replicas).toBe(2);
  });

  it('names the container without a request for a Utilization target', () => {
    const bare = pod('a', undefined as unknown as number, { requestMilli: undefined, containerWithoutRequest: 'web' });
    expect(() => calculateResourceReplicas({ currentReplicas: 1, resource: 'cpu', target: utilization(50), pods: [bare], metrics: metrics({ a: 10 }), now })).toThrow('missing request for cpu in container web of Pod a');
  });

  it('fails without pods or without metrics, as the podautoscaler does', () => {
    expect(() => calculateResourceReplicas({ currentReplicas: 1, resource: 'cpu', target: utilization(50), pods: [], metrics: metrics({}), now })).toThrow(MetricCalculationError);
    expect(() => calculateResourceReplicas({ currentReplicas: 1, resource: 'cpu', target: utilization(50), pods: [pod('a')], metrics: metrics({}), now })).toThrow('did not receive metrics for targeted pods (pods might be unready)');
  });
});
