import type { KubeObject } from '../../../runtime/kube/object.js';
import type { ServiceProxyStats } from '../../../runtime/index.js';
import type { QueueDepth } from '../../queue/sync-queue.js';

/** One app as `baton_app_info` shows it; AppStatus and the API's AppSummary both fit. */
export interface AppInfo {
  name: string;
  namespace: string;
  cluster: string;
  health: string;
  syncStatus: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Where the gauges read at scrape time. Each is set by an `observe…`
 * function; an unset source exports no series.
 */
export interface MetricSources {
  queueDepth?: () => MaybePromise<QueueDepth>;
  apps?: () => MaybePromise<readonly AppInfo[]>;
  pods?: () => MaybePromise<readonly KubeObject[]>;
  proxyStats?: () => ServiceProxyStats;
}
