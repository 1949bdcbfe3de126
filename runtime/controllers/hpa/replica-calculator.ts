/**
 * The replica count a Resource metric asks for, ported from
 * kube-controller-manager's podautoscaler (replica_calculator.go
 * GetResourceReplicas and GetRawResourceReplicas): a usage ratio against the
 * target over the pods that have metrics, a tolerance band around 1, and the
 * conservative treatment of unready and unmeasured pods. Pure: the controller
 * reads pods and metrics and passes them in.
 */

/** The pods' share of the scale computation, as groupPods sorts them. */
export interface CalculatorPod {
  name: string;
  phase: string;
  deleting: boolean;
  /** status.startTime (ms since epoch); undefined before the kubelet started the pod. */
  startTime?: number;
  /** The Ready condition, if the pod has one. */
  ready?: { status: string; lastTransitionTime: number };
  /** Sum of the containers' requests of the resource in milli-units; undefined when a container has none. */
  requestMilli?: number;
  /** Name of the first container without a request, for the error. */
  containerWithoutRequest?: string;
}

/** One pod's usage of the resource, summed over its containers, in milli-units (millicores, milli-bytes as Kubernetes counts them). */
export interface PodMetric {
  valueMilli: number;
  timestamp: number;
  windowMs: number;
}

export type ResourceTarget = { type: 'Utilization'; averageUtilization: number } | { type: 'AverageValue'; averageValueMilli: number };

export interface ReplicaCalculation {
  currentReplicas: number;
  resource: string;
  target: ResourceTarget;
  pods: CalculatorPod[];
  /** Keyed by pod name; pods of other workloads may be present and are ignored. */
  metrics: Map<string, PodMetric>;
  now: number;
  /** @defaultValue 0.1, the controller's `--horizontal-pod-autoscaler-tolerance` */
  tolerance?: number;
  /** @defaultValue 5 min, `--horizontal-pod-autoscaler-cpu-initialization-period` */
  cpuInitializationPeriodMs?: number;
  /** @defaultValue 30 s, `--horizontal-pod-autoscaler-initial-readiness-delay` */
  initialReadinessDelayMs?: number;
}

export interface ReplicaRecommendation {
  replicas: number;
  /** Utilization in percent of the requests (Utilization targets). */
  utilization?: number;
  /** Average usage per pod in milli-units. */
  averageMilli: number;
  timestamp: number;
}

/** Why no recommendation could be made: becomes the FailedGetResourceMetric condition. */
export class MetricCalculationError extends Error {
  readonly code = 'MetricCalculationError';
}

interface Groups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function groupPods(input: ReplicaCalculation): Groups {
  const cpuInit = input.cpuInitializationPeriodMs ?? 5 * 60_000;
  const readinessDelay = input.initialReadinessDelayMs ?? 30_000;
  const groups: Groups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of input.pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      groups.ignored.add(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      groups.unready.add(pod.name);
      continue;
    }
    const metric = input.metrics.get(pod.name);
    if (!metric) {
      groups.missing.add(pod.name);
      continue;
    }
    if (input.resource === 'cpu') {
      let unready: boolean;
      if (!pod.ready || pod.startTime === undefined) {
        unready = true;
      } else if (pod.startTime + cpuInit > input.now) {
        // Still initialising: unready, or no full window of usage since it turned ready.
        unready = pod.ready.status === 'False' || metric.timestamp < pod.ready.lastTransitionTime + metric.windowMs;
      } else {
        // Unready and never been ready.
        unready = pod.ready.status === 'False' && pod.startTime + readinessDelay > pod.ready.lastTransitionTime;
      }
      if (unready) {
        groups.unready.add(pod.name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

function requestsOf(input: ReplicaCalculation): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of input.pods) {
    if (pod.requestMilli === undefined) throw new MetricCalculationError(`missing request for ${input.resource} in container ${pod.containerWithoutRequest ?? ''} of Pod ${pod.name}`);
    requests.set(pod.name, pod.requestMilli);
  }
  return requests;
}

/** usage ratio, utilization and average raw usage over the pods with both metrics and requests (GetResourceUtilizationRatio / GetMetricUsageRatio). */
function usageRatio(metrics: Map<string, number>, requests: Map<string, number>, target: ResourceTarget): { ratio: number; utilization?: number; averageMilli: number } {
  if (target.type === 'AverageValue') {
    let total = 0;
    for (const value of metrics.values()) total += value;
    const averageMilli = Math.trunc(total / metrics.size);
    return { ratio: averageMilli / target.averageValueMilli, averageMilli };
  }
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entities = 0;
  for (const [name, value] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    metricsTotal += value;
    requestsTotal += request;
    entities++;
  }
  if (requestsTotal === 0) throw new MetricCalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target.averageUtilization, utilization, averageMilli: Math.trunc(metricsTotal / entities) };
}

export function calculateResourceReplicas(input: ReplicaCalculation): ReplicaRecommendation {
  const tolerance = input.tolerance ?? 0.1;
  if (input.pods.length === 0) throw new MetricCalculationError('no pods returned by selector while calculating replica count');
  const groups = groupPods(input);
  const podNames = new Set(input.pods.map((p) => p.name));
  const metrics = new Map<string, number>();
  let timestamp = 0;
  for (const [name, metric] of input.metrics) {
    if (!podNames.has(name) || groups.ignored.has(name) || groups.unready.has(name)) continue;
    metrics.set(name, metric.valueMilli);
    timestamp = Math.max(timestamp, metric.timestamp);
  }
  const requests = input.target.type === 'Utilization' ? requestsOf(input) : new Map<string, number>();
  if (metrics.size === 0) throw new MetricCalculationError('did not receive metrics for targeted pods (pods might be unready)');

  const first = usageRatio(metrics, requests, input.target);
  const result = (replicas: number): ReplicaRecommendation => ({ replicas, utilization: first.utilization, averageMilli: first.averageMilli, timestamp });
  const scaleUpWithUnready = groups.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return result(input.currentReplicas);
    return result(Math.ceil(first.ratio * groups.readyPodCount));
  }

  if (groups.missing.size > 0) {
    // Scaling down, a pod without metrics counts as using its whole request (or the target, above 100%); scaling up, as using nothing.
    for (const name of groups.missing) {
      if (first.ratio < 1) {
        metrics.set(name, input.target.type === 'Utilization' ? Math.trunc((requests.get(name)! * Math.max(100, input.target.averageUtilization)) / 100) : input.target.averageValueMilli);
      } else if (first.ratio > 1) {
        metrics.set(name, 0);
      }
    }
  }
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, 0);

  const second = usageRatio(metrics, requests, input.target);
  if (Math.abs(1 - second.ratio) <= tolerance || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) {
    return result(input.currentReplicas);
  }
  const replicas = Math.ceil(second.ratio * metrics.size);
  if ((second.ratio < 1 && replicas > input.currentReplicas) || (second.ratio > 1 && replicas < input.currentReplicas)) return result(input.currentReplicas);
  return result(replicas);
}
