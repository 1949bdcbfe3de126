import type { Counter, Gauge } from 'prom-client';
import type { KubeObject } from '../../../runtime/kube/object.js';
import type { ServiceProxyStats, ServiceStats } from '../../../runtime/index.js';

/**
 * One read shared by every caller until it settles. All of a scrape's
 * collect callbacks start together, so metrics fed by one source see one
 * consistent snapshot and the source is read once per scrape.
 */
export function sharedRead<T>(get: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= get().finally(() => {
      pending = undefined;
    }));
}

export function setPodPhases(gauge: Gauge<'namespace' | 'phase'>, pods: readonly KubeObject[] | undefined): void {
  gauge.reset();
  for (const pod of pods ?? []) {
    gauge.inc({ namespace: pod.metadata.namespace ?? '', phase: (pod.status?.phase as string | undefined) ?? 'Pending' });
  }
}

/** Counters mirror counts kept elsewhere: reset, then set to the current value (inc from zero). */
export function setRestarts(counter: Counter<'namespace' | 'pod' | 'container'>, pods: readonly KubeObject[] | undefined): void {
  counter.reset();
  for (const pod of pods ?? []) {
    const statuses = [...((pod.status?.initContainerStatuses as unknown[]) ?? []), ...((pod.status?.containerStatuses as unknown[]) ?? [])];
    for (const s of statuses as Array<{ name?: string; restartCount?: number }>) {
      counter.inc({ namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '', container: s.name ?? '' }, s.restartCount ?? 0);
    }
  }
}

export function setPerService(metric: Counter<'service'> | Gauge<'service'>, stats: ServiceProxyStats | undefined, value: (s: ServiceStats) => number): void {
  metric.reset();
  for (const [service, s] of Object.entries(stats ?? {})) metric.inc({ service }, value(s));
}

export function setReadyEndpoints(gauge: Gauge<'service' | 'port'>, stats: ServiceProxyStats | undefined): void {
  gauge.reset();
  for (const [service, s] of Object.entries(stats ?? {})) {
    for (const [port, n] of Object.entries(s.readyEndpoints)) gauge.set({ service, port }, n);
  }
}
