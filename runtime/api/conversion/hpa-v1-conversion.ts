import type { KubeObject } from '../../kube/object.js';

/**
 * autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler, as Kubernetes'
 * pkg/apis/autoscaling/v1/conversion.go does it: v1 carries only a CPU
 * utilization target, so everything else v2 has (other metrics, behavior,
 * conditions, current metrics) rides in `autoscaling.alpha.kubernetes.io/*`
 * annotations of the v1 object and comes back from them on a write.
 */
const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CARRIED = [METRICS, BEHAVIOR, CONDITIONS, CURRENT_METRICS];

const isCpuUtilization = (m: any) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

/** The v1 view of a stored (v2) HorizontalPodAutoscaler. */
export function hpaToV1(v2: KubeObject): KubeObject {
  const spec = v2.spec ?? {};
  const status = v2.status ?? {};
  const annotations: Record<string, string> = { ...(v2.metadata.annotations ?? {}) };
  const metrics: any[] = spec.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[METRICS] = JSON.stringify(others);
  if (spec.behavior) annotations[BEHAVIOR] = JSON.stringify(spec.behavior);
  if (status.conditions?.length) annotations[CONDITIONS] = JSON.stringify(status.conditions);
  const current: any[] = status.currentMetrics ?? [];
  const currentCpu = current.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.current?.averageUtilization !== undefined);
  const otherCurrent = current.filter((m) => m !== currentCpu);
  if (otherCurrent.length) annotations[CURRENT_METRICS] = JSON.stringify(otherCurrent);
  const v1Spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  if (cpu) v1Spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const v1Status: Record<string, unknown> = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 };
  if (status.observedGeneration !== undefined) v1Status.observedGeneration = status.observedGeneration;
  if (status.lastScaleTime) v1Status.lastScaleTime = status.lastScaleTime;
  if (currentCpu) v1Status.currentCPUUtilizationPercentage = currentCpu.resource.current.averageUtilization;
  const { annotations: _given, ...rest } = v2.metadata;
  const metadata = Object.keys(annotations).length ? { ...rest, annotations } : rest;
  return { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1Spec, status: v1Status };
}

function carried(annotations: Record<string, string>, key: string): any {
  const text = annotations[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The v2 object a v1 write means; the annotations it carries are read back and dropped. */
export function hpaToV2(v1: KubeObject): KubeObject {
  const spec = v1.spec ?? {};
  const status = v1.status ?? {};
  const annotations: Record<string, string> = { ...(v1.metadata?.annotations ?? {}) };
  const others: any[] = carried(annotations, METRICS) ?? [];
  const behavior = carried(annotations, BEHAVIOR);
  const conditions = carried(annotations, CONDITIONS);
  const otherCurrent: any[] = carried(annotations, CURRENT_METRICS) ?? [];
  for (const key of CARRIED) delete annotations[key];
  const metrics: any[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...others);
  const v2Spec: Record<string, unknown> = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  // v2's default when no metric is given: 80% of the CPU request (a v1 HPA without a target meant the same).
  v2Spec.metrics = metrics.length ? metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  if (behavior) v2Spec.behavior = behavior;
  const currentMetrics: any[] = [];
  if (status.currentCPUUtilizationPercentage !== undefined) {
    currentMetrics.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
  }
  currentMetrics.push(...otherCurrent);
  const v2Status: Record<string, unknown> = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 };
  if (status.observedGeneration !== undefined) v2Status.observedGeneration = status.observedGeneration;
  if (status.lastScaleTime) v2Status.lastScaleTime = status.lastScaleTime;
  if (currentMetrics.length) v2Status.currentMetrics = currentMetrics;
  if (conditions) v2Status.conditions = conditions;
  const { annotations: _given, ...rest } = v1.metadata ?? {};
  const metadata = Object.keys(annotations).length ? { ...rest, annotations } : rest;
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: v2Spec, status: v2Status };
}
