import { describe, expect, it } from 'vitest';
import { calculatorPod, podMetricsOf } from '../../../../runtime/controllers/hpa/hpa-metrics.js';
import type { MetricsSource, PodUsage } from '../../../../runtime/metrics/metrics-sampler.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop' },
  spec: { containers: [{ name: 'web', resources: { requests: { cpu: '200m', memory: '64Mi' } } }, { name: 'proxy', resources: { requests: { cpu: '50m' } } }] },
  status: { phase: 'Running', startTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:10Z' }] },
};
const usage: PodUsage = {
  namespace: 'shop',
  name: 'web-1',
  uid: 'u',
  labels: {},
  timestamp: new Date('2026-01-01T00:10:00Z'),
  windowMs: 15_000,
  containers: [
    { name: 'web', cpuNanoCores: 150_000_001, memoryBytes: 10 * 1024 * 1024 },
    { name: 'proxy', cpuNanoCores: 20_000_000, memoryBytes: 1024 * 1024 },
  ],
};
const source: MetricsSource = { pods: () => [usage, { ...usage, namespace: 'other' }], nodes: () => [] };

// As the podautoscaler counts: MilliValue (rounded up) summed over the pod's containers, or over one for ContainerResource.
describe('HPA inputs from pods and samples', () => {
  it('requests: every container for Resource, one for ContainerResource; a missing one is named', () => {
    expect(calculatorPod(pod, 'cpu').requestMilli).toBe(250);
    expect(calculatorPod(pod, 'cpu', 'proxy').requestMilli).toBe(50);
    expect(calculatorPod(pod, 'memory')).toMatchObject({ requestMilli: undefined, containerWithoutRequest: 'proxy' });
    expect(calculatorPod(pod, 'memory', 'web').requestMilli).toBe(64 * 1024 * 1024 * 1000);
    expect(calculatorPod(pod, 'cpu').ready).toEqual({ status: 'True', lastTransitionTime: Date.parse('2026-01-01T00:00:10Z') });
  });

  it('usage: summed per pod of the namespace, or of one container; a pod without it is unmeasured', () => {
    expect(podMetricsOf(source, 'shop', 'cpu').get('web-1')?.valueMilli).toBe(171);
    expect(podMetricsOf(source, 'shop', 'cpu', 'web').get('web-1')?.valueMilli).toBe(151);
    expect(podMetricsOf(source, 'shop', 'memory', 'proxy').get('web-1')?.valueMilli).toBe(1024 * 1024 * 1000);
    expect(podMetricsOf(source, 'shop', 'cpu', 'sidecar').size).toBe(0);
  });
});
