import type { KubeObject } from '../../kube/object.js';
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP } from '../../controllers/hpa/scaling-behavior.js';

function rules(given: any, defaults: object): Record<string, unknown> {
  const out = structuredClone(defaults) as Record<string, unknown>;
  for (const key of ['stabilizationWindowSeconds', 'selectPolicy', 'policies']) if (given?.[key] !== undefined && given?.[key] !== null) out[key] = given[key];
  return out;
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2; v1 only minReplicas): minReplicas 1, a CPU target of 80% when no metric is given, and a given behavior's unset rules. */
export function defaultHorizontalPodAutoscaler(obj: KubeObject): void {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return;
  spec.minReplicas ??= 1;
  // autoscaling/v1 has no metrics: its conversion to the stored v2 object supplies the CPU default.
  if (obj.apiVersion === 'autoscaling/v1') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (spec.behavior && typeof spec.behavior === 'object') {
    spec.behavior.scaleUp = rules(spec.behavior.scaleUp, DEFAULT_SCALE_UP);
    spec.behavior.scaleDown = rules(spec.behavior.scaleDown, DEFAULT_SCALE_DOWN);
  }
}
