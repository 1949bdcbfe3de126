import { describe, expect, it } from 'vitest';
import { validateHorizontalPodAutoscaler } from '../../../../../runtime/api/validation/validate-hpa.js';
import type { KubeObject } from '../../../../../runtime/kube/object.js';

function hpa(spec: Record<string, unknown>, apiVersion = 'autoscaling/v2'): KubeObject {
  return { apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'ns' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3, ...spec } };
}
const cpu = (target: Record<string, unknown>) => [{ type: 'Resource', resource: { name: 'cpu', target } }];

describe('HorizontalPodAutoscaler validation', () => {
  const cases: Array<[string, KubeObject, string[]]> = [
    ['a CPU utilization target', hpa({ metrics: cpu({ type: 'Utilization', averageUtilization: 50 }) }), []],
    ['a memory AverageValue target', hpa({ metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }] }), []],
    ['Pods metrics are refused, not faked', hpa({ metrics: [{ type: 'Pods', pods: {} }] }), [`spec.metrics[0].type: Unsupported value: "Pods": only Resource and ContainerResource metrics are supported by baton's runtime`]],
    ['External metrics likewise', hpa({ metrics: [{ type: 'External', external: {} }] }), [`spec.metrics[0].type: Unsupported value: "External": only Resource and ContainerResource metrics are supported by baton's runtime`]],
    ['a ContainerResource target', hpa({ metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'web', target: { type: 'Utilization', averageUtilization: 60 } } }] }), []],
    ['a ContainerResource without its container', hpa({ metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] }), ['spec.metrics[0].containerResource.container: Required value: must specify a container']],
    ['maxReplicas below minReplicas', hpa({ minReplicas: 4 }), ['spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`']],
    ['minReplicas 0', hpa({ minReplicas: 0 }), ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']],
    ['a missing target name', hpa({ scaleTargetRef: { kind: 'Deployment' } }), ['spec.scaleTargetRef.name: Required value']],
    ['a Value target on a resource', hpa({ metrics: cpu({ type: 'Value', value: '1' }) }), ['spec.metrics[0].resource.target.type: Invalid value: "Value": must be either Utilization or AverageValue']],
    ['utilization 0', hpa({ metrics: cpu({ type: 'Utilization', averageUtilization: 0 }) }), ['spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0']],
    ['a stabilization window over an hour', hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 4000 } } }), ['spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600 and greater than or equal to 0']],
    ['a policy period over 30 min', hpa({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } }), ['spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be greater than zero and less than or equal to 1800']],
    ['v1: a zero CPU target', hpa({ targetCPUUtilizationPercentage: 0 }, 'autoscaling/v1'), ['spec.targetCPUUtilizationPercentage: Invalid value: 0: must be greater than 0']],
  ];
  for (const [name, obj, expected] of cases) {
    it(name, () => {
      expect(validateHorizontalPodAutoscaler(obj).map((c) => `${c.field}: ${c.message}`)).toEqual(expected);
    });
  }
});
