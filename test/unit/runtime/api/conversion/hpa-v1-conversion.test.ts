import { describe, expect, it } from 'vitest';
import { hpaToV1, hpaToV2 } from '../../../../../runtime/api/conversion/hpa-v1-conversion.js';
import type { KubeObject } from '../../../../../runtime/kube/object.js';

const v2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 6,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '200Mi' } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '450m' } } }],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  },
};

describe('autoscaling/v1 ⇄ v2 HorizontalPodAutoscaler', () => {
  it('v1 shows the CPU target and utilization; the rest rides in annotations', () => {
    const v1 = hpaToV1(v2);
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({ scaleTargetRef: v2.spec!.scaleTargetRef, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 });
    expect(v1.status).toEqual({ currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 90 });
    expect(JSON.parse(v1.metadata.annotations!['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([v2.spec!.metrics[1]]);
  });

  it('a v1 object written back keeps every v2 field it carried', () => {
    const back = hpaToV2(hpaToV1(v2));
    expect(back.spec).toEqual(v2.spec);
    expect(back.status!.conditions).toEqual(v2.status!.conditions);
    expect(back.metadata.annotations).toBeUndefined();
    expect(back.metadata.labels).toEqual({ app: 'web' });
  });

  it('a v1 HPA without a target means 80% of the CPU request', () => {
    const made = hpaToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 2 } });
    expect(made.spec!.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  });
});
