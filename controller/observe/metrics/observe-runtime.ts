import type { WatchEvent } from '../../../runtime/kube/object.js';
import { resources, type Cluster, type ServiceProxyStats } from '../../../runtime/index.js';
import type { BatonMetrics } from './baton-metrics.js';

export interface ObserveRuntimeOptions {
  /** The built-in runtime's cluster: pods by phase and restarts (listed per scrape), probe failures (watched). @defaultValue none */
  cluster?: Cluster;
  /** The service proxy (runtime/proxy's ServiceProxy): its stats() are read per scrape. @defaultValue none */
  proxy?: { stats(): ServiceProxyStats };
}

/** `Liveness probe failed: …`, as the kubelet words its `Unhealthy` events. */
const PROBE_MESSAGE = /^(Startup|Liveness|Readiness) probe failed/;

/**
 * Feeds the runtime metrics: pods by phase and container restarts from the
 * cluster at each scrape, probe failures by watching `Unhealthy` events
 * (counted from now on), proxy connections and errors from the proxy's stats.
 * Resolves, once watching, with a function that stops.
 */
export async function observeRuntime(metrics: BatonMetrics, options: ObserveRuntimeOptions): Promise<() => void> {
  const stops: Array<() => void> = [];
  const { cluster, proxy } = options;
  if (proxy) {
    const stats = () => proxy.stats();
    metrics.sources.proxyStats = stats;
    stops.push(() => {
      if (metrics.sources.proxyStats === stats) metrics.sources.proxyStats = undefined;
    });
  }
  if (cluster) {
    const pods = async () => (await cluster.list(resources.pods)).items;
    metrics.sources.pods = pods;
    stops.push(() => {
      if (metrics.sources.pods === pods) metrics.sources.pods = undefined;
    });
    stops.push(await watchProbeFailures(metrics, cluster));
  }
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}

async function watchProbeFailures(metrics: BatonMetrics, cluster: Cluster): Promise<() => void> {
  let stopWatch: (() => void) | undefined;
  let stopped = false;
  const onEvent = (event: WatchEvent) => {
    // An ERROR (e.g. the watch fell too far behind) ends this watch: start again from now.
    if (event.type === 'ERROR') return void restart();
    if (event.type !== 'ADDED' || event.object.reason !== 'Unhealthy') return;
    const probe = PROBE_MESSAGE.exec(String(event.object.message ?? ''));
    if (probe) metrics.probeFailures.inc({ namespace: event.object.metadata.namespace ?? '', probe: probe[1].toLowerCase() });
  };
  async function start(): Promise<void> {
    // Failures from before are history: count from the current resourceVersion on.
    const { resourceVersion } = await cluster.list(resources.events);
    if (stopped) return;
    stopWatch = await cluster.watch(resources.events, { resourceVersion }, onEvent);
    if (stopped) stopWatch();
  }
  function restart(): void {
    stopWatch?.();
    stopWatch = undefined;
    if (!stopped) start().catch(() => metrics.scrapeErrors.inc({ source: 'probe-events' }));
  }
  await start();
  return () => {
    stopped = true;
    stopWatch?.();
  };
}
