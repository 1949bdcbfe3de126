import type { KubeObject } from '../../kube/object.js';
import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import { findByKind, resources } from '../../resources/registry.js';
import type { MetricsSource } from '../../metrics/metrics-sampler.js';
import { scaleOf } from '../../api/handlers/scale-handler.js';
import { writeOwnStatus } from '../write-status.js';
import { done, requeueAfter, splitKey, startReconciler, type ReconcileResult, type ReconcilerLogger, type RunningReconciler } from '../reconciler.js';
import { calculateResourceReplicas, MetricCalculationError, type ResourceTarget } from './replica-calculator.js';
import { calculatorPod, milliOf, milliQuantity, podMetricsOf } from './hpa-metrics.js';
import { emptyHistory, normalizeDesiredReplicas, recordRescale, type Behavior, type Condition, type ScalingHistory } from './scaling-behavior.js';
import { setCondition, type HpaCondition } from './hpa-status.js';

const COMPONENT = 'horizontal-pod-autoscaler';

export interface HpaControllerOptions {
  cluster: Cluster;
  /** Pod usage; without it every HPA reports FailedGetResourceMetric. */
  metrics?: MetricsSource;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /**
   * How often each HPA is evaluated (`--horizontal-pod-autoscaler-sync-period`).
   * @defaultValue 15_000
   */
  syncPeriodMs?: number;
  /**
   * The scale-down stabilization window of HPAs that set none (`--horizontal-pod-autoscaler-downscale-stabilization`).
   * @defaultValue 300_000
   */
  downscaleStabilizationMs?: number;
}

interface Evaluation {
  desired: number;
  reason: string;
  currentMetrics: Record<string, unknown>[];
  conditions: HpaCondition[];
}

/** Scales Deployments, ReplicaSets, StatefulSets and ReplicationControllers to the CPU and memory their HPAs ask for, as kube-controller-manager's podautoscaler does. */
export function startHpaController(options: HpaControllerOptions): Promise<RunningReconciler> {
  const syncPeriodMs = options.syncPeriodMs ?? 15_000;
  const histories = new Map<string, ScalingHistory>();
  const lastSync = new Map<string, number>();
  return startReconciler({
    name: 'hpa-controller',
    cluster: options.cluster,
    primary: resources.horizontalpodautoscalers,
    logger: options.logger,
    resyncMs: syncPeriodMs,
    reconcile: async (key) => {
      // One evaluation per sync period whatever wakes the key (its own status writes too), as the controller's rate-limited queue has it.
      const since = Date.now() - (lastSync.get(key) ?? 0);
      if (since < syncPeriodMs) return requeueAfter(syncPeriodMs - since);
      lastSync.set(key, Date.now());
      const result = await reconcileHpa(options, histories, key);
      if (result === done) {
        histories.delete(key);
        lastSync.delete(key);
      }
      return result;
    },
  });
}

async function reconcileHpa(options: HpaControllerOptions, histories: Map<string, ScalingHistory>, key: string): Promise<ReconcileResult> {
  const { cluster } = options;
  const { namespace, name } = splitKey(key);
  let hpa: KubeObject;
  try {
    hpa = await cluster.get(resources.horizontalpodautoscalers, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  if (!histories.has(key)) histories.set(key, emptyHistory());
  const status: Record<string, any> = structuredClone(hpa.status ?? {});
  const now = Date.now();
  const stamp = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  let conditions: HpaCondition[] = status.conditions ?? [];
  const set = (type: HpaCondition['type'], c: Condition) => (conditions = setCondition(conditions, type, c, stamp));
  try {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const type = findByKind(ref.apiVersion ?? '', ref.kind ?? '');
    let target: KubeObject;
    try {
      if (!type || !type.subresources.includes('scale')) throw new Error(`no matches for kind "${ref.kind}" in group "${String(ref.apiVersion ?? '').split('/').slice(0, -1).join('/')}" with a scale subresource`);
      target = await cluster.get(type, namespace, ref.name);
    } catch (err) {
      const message = `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`;
      const told = conditions.find((c) => c.type === 'AbleToScale')?.message === message;
      set('AbleToScale', { status: 'False', reason: 'FailedGetScale', message });
      if (!told) await recordEvent(cluster, hpa, 'Warning', 'FailedGetScale', (err as Error).message, COMPONENT);
      return requeueAfter(options.syncPeriodMs ?? 15_000);
    }
    set('AbleToScale', { status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    const scale = scaleOf(target);
    const current: number = scale.spec.replicas;
    status.currentReplicas = scale.status.replicas;
    const history = histories.get(key)!;
    // recordInitialRecommendation: a restarted controller does not scale down at once.
    if (history.recommendations.length === 0) history.recommendations.push({ replicas: current, at: now });

    const evaluation = await evaluate(options, hpa, current, scale.status.selector, history, conditions, now, stamp);
    conditions = evaluation.conditions;
    if (evaluation.currentMetrics.length || status.currentMetrics) status.currentMetrics = evaluation.currentMetrics;
    if (evaluation.desired < 0) return requeueAfter(options.syncPeriodMs ?? 15_000);
    status.desiredReplicas = evaluation.desired;
    if (evaluation.desired !== current) {
      try {
        const next = structuredClone(target);
        next.spec = { ...(next.spec ?? {}), replicas: evaluation.desired };
        await cluster.update(type!, next);
      } catch (err) {
        const message = (err as Error).message;
        set('AbleToScale', { status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${message}` });
        await recordEvent(cluster, hpa, 'Warning', 'FailedRescale', `New size: ${evaluation.desired}; reason: ${evaluation.reason}; error: ${message}`, COMPONENT);
        throw err;
      }
      set('AbleToScale', { status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${evaluation.desired}` });
      await recordEvent(cluster, hpa, 'Normal', 'SuccessfulRescale', `New size: ${evaluation.desired}; reason: ${evaluation.reason}`, COMPONENT);
      recordRescale(history, hpa.spec?.behavior as Behavior | undefined, current, evaluation.desired, now);
      status.lastScaleTime = stamp;
    }
    return requeueAfter(options.syncPeriodMs ?? 15_000);
  } finally {
    status.conditions = conditions;
    if (hpa.metadata.generation !== undefined) status.observedGeneration = hpa.metadata.generation;
    await writeOwnStatus(cluster, resources.horizontalpodautoscalers, hpa, status, COMPONENT);
  }
}

/** The desired replica count and why (reconcileAutoscaler's middle); desired -1 when the metrics gave none. */
async function evaluate(
  options: HpaControllerOptions,
  hpa: KubeObject,
  current: number,
  selector: string,
  history: ScalingHistory,
  startConditions: HpaCondition[],
  now: number,
  stamp: string,
): Promise<Evaluation> {
  let conditions = startConditions;
  const set = (type: HpaCondition['type'], c: Condition) => (conditions = setCondition(conditions, type, c, stamp));
  const minReplicas: number = hpa.spec?.minReplicas ?? 1;
  const maxReplicas: number = hpa.spec?.maxReplicas;
  if (current === 0 && minReplicas !== 0) {
    set('ScalingActive', { status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    return { desired: 0, reason: '', currentMetrics: [], conditions };
  }
  if (current > maxReplicas) return { desired: maxReplicas, reason: 'Current number of replicas above Spec.MaxReplicas', currentMetrics: [], conditions };
  if (current < minReplicas) return { desired: minReplicas, reason: 'Current number of replicas below Spec.MinReplicas', currentMetrics: [], conditions };

  const namespace = hpa.metadata.namespace!;
  const pods = (await options.cluster.list(resources.pods, { namespace, labelSelector: selector })).items;
  const specs = (hpa.spec?.metrics ?? []) as Array<Record<string, any>>;
  const currentMetrics: Record<string, unknown>[] = [];
  let best: { replicas: number; metricName: string } | undefined;
  let firstError: string | undefined;
  const errors: string[] = [];
  let invalid = 0;
  for (const spec of specs) {
    // ContainerResource measures one container of each pod; Resource the whole pod.
    const source = spec.type === 'ContainerResource' ? spec.containerResource : spec.resource;
    const container: string | undefined = spec.type === 'ContainerResource' ? source?.container : undefined;
    const resource: string = source?.name;
    const t = source?.target ?? {};
    const target: ResourceTarget =
      t.type === 'AverageValue' ? { type: 'AverageValue', averageValueMilli: milliOf(resource, t.averageValue) } : { type: 'Utilization', averageUtilization: t.averageUtilization };
    const kind = container ? 'container resource' : 'resource';
    const metricName = target.type === 'Utilization' ? `${resource} ${kind} utilization (percentage of request)` : `${resource} ${kind}`;
    try {
      if (!options.metrics) throw new MetricCalculationError('unable to get metrics for resource ' + resource + ': the metrics API is not running');
      const metrics = podMetricsOf(options.metrics, namespace, resource, container);
      const calculation = calculateResourceReplicas({ currentReplicas: current, resource, target, pods: pods.map((p) => calculatorPod(p, resource, container)), metrics, now });
      const currentValue: Record<string, unknown> = { averageValue: milliQuantity(calculation.averageMilli) };
      if (calculation.utilization !== undefined) currentValue.averageUtilization = calculation.utilization;
      currentMetrics.push(container ? { type: 'ContainerResource', containerResource: { name: resource, container, current: currentValue } } : { type: 'Resource', resource: { name: resource, current: currentValue } });
      if (!best || calculation.replicas > best.replicas) best = { replicas: calculation.replicas, metricName };
    } catch (err) {
      if (!(err instanceof MetricCalculationError)) throw err;
      const what = target.type === 'Utilization' ? `${resource} utilization` : `${resource} usage`;
      const message = `failed to get ${resource} ${kind} metric value: failed to get ${what}: ${err.message}`;
      firstError ??= message;
      errors.push(message);
      invalid++;
      currentMetrics.push({ type: '' });
    }
  }
  if (!best || invalid >= specs.length || (invalid > 0 && best.replicas < current)) {
    const message = `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError}`;
    const previous = startConditions.find((c) => c.type === 'ScalingActive');
    set('ScalingActive', { status: 'False', reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${firstError}` });
    // Kubernetes' recorder folds repeats into one Event's count; this one has none, so a failure is told once, not every sync period.
    if (previous?.message !== conditions.find((c) => c.type === 'ScalingActive')?.message) {
      for (const error of errors) await recordEvent(options.cluster, hpa, 'Warning', 'FailedGetResourceMetric', error, COMPONENT);
      await recordEvent(options.cluster, hpa, 'Warning', 'FailedComputeMetricsReplicas', message, COMPONENT);
    }
    return { desired: -1, reason: '', currentMetrics: currentMetrics.filter((m) => m.type), conditions };
  }
  set('ScalingActive', { status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${best.metricName}` });
  const reason = best.replicas > current ? `${best.metricName} above target` : 'All metrics below target';
  const normalized = normalizeDesiredReplicas(
    { currentReplicas: current, desiredReplicas: best.replicas, minReplicas, maxReplicas, behavior: hpa.spec?.behavior, now, downscaleStabilizationMs: options.downscaleStabilizationMs },
    history,
  );
  set('AbleToScale', normalized.ableToScale);
  set('ScalingLimited', normalized.scalingLimited);
  return { desired: normalized.replicas, reason, currentMetrics, conditions };
}
