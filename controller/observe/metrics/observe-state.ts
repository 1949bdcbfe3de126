import type { QueueDepth } from '../../queue/sync-queue.js';
import type { BatonMetrics } from './baton-metrics.js';
import type { AppInfo } from './metric-sources.js';

/** `baton_queue_jobs{state}` reads `queue.depth()` at each scrape (SyncQueue fits). Returns a function that stops. */
export function observeQueue(metrics: BatonMetrics, queue: { depth(): Promise<QueueDepth> }): () => void {
  const source = () => queue.depth();
  metrics.sources.queueDepth = source;
  return () => {
    if (metrics.sources.queueDepth === source) metrics.sources.queueDepth = undefined;
  };
}

/** `baton_app_info` lists `apps()` at each scrape, e.g. `() => state.listApps()`. Returns a function that stops. */
export function observeApps(metrics: BatonMetrics, apps: () => Promise<readonly AppInfo[]> | readonly AppInfo[]): () => void {
  metrics.sources.apps = apps;
  return () => {
    if (metrics.sources.apps === apps) metrics.sources.apps = undefined;
  };
}
