import type { KubeObject } from '../../kube/object.js';
import { cpuMillis, memoryBytes } from '../../kube/quantity.js';
import type { MetricsSource } from '../../metrics/metrics-sampler.js';
import type { CalculatorPod, PodMetric } from './replica-calculator.js';

/** A resource quantity in the milli-units the podautoscaler computes in (Quantity.MilliValue: millicores, thousandths of a byte). */
export function milliOf(resource: string, quantity: string | number): number {
  return resource === 'cpu' ? cpuMillis(quantity) : memoryBytes(quantity) * 1000;
}

/** A milli-unit value as the API server writes resource.NewMilliQuantity(v, DecimalSI): `250m`, `2`, `52428800`, `3M`. */
export function milliQuantity(milli: number): string {
  const v = Math.round(milli);
  if (v % 1000 !== 0) return `${v}m`;
  let whole = v / 1000;
  if (whole === 0) return '0';
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (i < suffixes.length - 1 && whole % 1000 === 0) {
    whole /= 1000;
    i++;
  }
  return `${whole}${suffixes[i]}`;
}

/** The calculator's view of a pod: phase, readiness, start and the sum of its containers' (or `container`'s) requests of `resource`. */
export function calculatorPod(pod: KubeObject, resource: string, container?: string): CalculatorPod {
  const ready = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  let requestMilli: number | undefined = 0;
  let containerWithoutRequest: string | undefined;
  for (const c of (pod.spec?.containers ?? []) as Array<Record<string, any>>) {
    if (container !== undefined && c.name !== container) continue;
    const request = c.resources?.requests?.[resource];
    if (request === undefined) {
      requestMilli = undefined;
      containerWithoutRequest = c.name;
      break;
    }
    requestMilli += milliOf(resource, request);
  }
  return {
    name: pod.metadata.name!,
    phase: pod.status?.phase ?? 'Pending',
    deleting: !!pod.metadata.deletionTimestamp,
    startTime: pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined,
    ready: ready ? { status: ready.status, lastTransitionTime: Date.parse(ready.lastTransitionTime ?? pod.status?.startTime ?? 0) } : undefined,
    requestMilli,
    containerWithoutRequest,
  };
}

/**
 * The namespace's pods' usage of `resource` summed over containers (or of
 * `container` alone; a pod without it counts as unmeasured), by pod name, as
 * the resource metrics client reads PodMetrics.
 */
export function podMetricsOf(source: MetricsSource, namespace: string, resource: string, container?: string): Map<string, PodMetric> {
  const out = new Map<string, PodMetric>();
  for (const p of source.pods()) {
    if (p.namespace !== namespace) continue;
    const measured = container === undefined ? p.containers : p.containers.filter((c) => c.name === container);
    if (measured.length === 0) continue;
    let valueMilli = 0;
    for (const c of measured) valueMilli += resource === 'cpu' ? Math.ceil(c.cpuNanoCores / 1e6) : c.memoryBytes * 1000;
    out.set(p.name, { valueMilli, timestamp: p.timestamp.getTime(), windowMs: p.windowMs });
  }
  return out;
}
