import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { hpaColumnSets } from '../../../../../runtime/api/printing/hpa-columns.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const resource = (name: string, target: Record<string, unknown>) => ({ type: 'Resource', resource: { name, target } });
function hpa(metrics: unknown[], currentMetrics: unknown[] = [], apiVersion = 'autoscaling/v2', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion,
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics, ...extra },
    status: { currentReplicas: 2, currentMetrics },
  };
}

// kubectl's printHorizontalPodAutoscaler / formatHPAMetrics.
describe('kubectl get hpa: REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE', () => {
  const cases: Array<[string, KubeObject, string]> = [
    ['before the first measurement', hpa([resource('cpu', { type: 'Utilization', averageUtilization: 50 })]), 'cpu: <unknown>/50%'],
    ['utilization', hpa([resource('cpu', { type: 'Utilization', averageUtilization: 50 })], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 633, averageValue: '317m' } } }]), 'cpu: 633%/50%'],
    ['an average value', hpa([resource('memory', { type: 'AverageValue', averageValue: '100Mi' })], [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '52428800' } } }]), 'memory: 52428800/100Mi'],
    [
      'three metrics: two shown and how many more',
      hpa([resource('cpu', { type: 'Utilization', averageUtilization: 50 }), resource('memory', { type: 'Utilization', averageUtilization: 70 }), resource('memory', { type: 'AverageValue', averageValue: '1Gi' })]),
      'cpu: <unknown>/50%, memory: <unknown>/70% + 1 more...',
    ],
    ['a container resource', hpa([{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'web', target: { type: 'Utilization', averageUtilization: 60 } } }], [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'web', current: { averageUtilization: 12 } } }]), 'cpu: 12%/60%'],
    ['a v1 object reads as its v2 form', hpa([], [], 'autoscaling/v1', { metrics: undefined, targetCPUUtilizationPercentage: 80 }), 'cpu: <unknown>/80%'],
  ];
  it.each(cases)('%s', (_what, obj, targets) => {
    expect(hpaColumnSets.HorizontalPodAutoscaler.cells(obj, now)).toEqual(['web', 'Deployment/web', targets, '1', 5, 2, '10m']);
  });
});
