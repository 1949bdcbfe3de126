import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricSources } from './metric-sources.js';
import { setPerService, setPodPhases, setReadyEndpoints, setRestarts, sharedRead } from './runtime-collect.js';

/** Typed handles to every baton metric, and the registry `GET /metrics` serves. */
export interface BatonMetrics {
  readonly registry: Registry;
  /** What the scrape-time gauges read; filled by the `observe…` functions. */
  readonly sources: MetricSources;
  /** `phase`: Succeeded, Failed, RolledBack, Skipped (the sync's own result), or Error (the sync threw). */
  readonly appSync: Counter<'name' | 'namespace' | 'phase'>;
  readonly appSyncDuration: Histogram<'name' | 'namespace' | 'phase'>;
  /** Planning an app: tree-OID check, render, diff against live (Argo CD's `argocd_app_reconcile`). */
  readonly appReconcile: Histogram<'name' | 'namespace'>;
  /** `reason`: `auto` (failed health gate) or `manual` (`baton rollback`). */
  readonly appRollbacks: Counter<'name' | 'namespace' | 'reason'>;
  readonly appInfo: Gauge<'name' | 'namespace' | 'cluster' | 'health_status' | 'sync_status'>;
  readonly queueJobs: Gauge<'state'>;
  readonly queueWait: Histogram;
  readonly queueCoalesced: Counter;
  readonly queueDeferred: Counter<'name'>;
  /** `request_type`: `ls-remote` (the interval ref check) or `fetch`. */
  readonly gitRequests: Counter<'repo' | 'request_type'>;
  readonly gitRequestDuration: Histogram<'repo' | 'request_type'>;
  readonly gitRequestFailures: Counter<'repo' | 'request_type'>;
  readonly sourceRevisions: Counter<'repo'>;
  readonly sourceErrors: Counter<'repo' | 'code'>;
  /** `result`: accepted, duplicate, ignored, unauthorized, not_configured, rejected, error. */
  readonly webhookRequests: Counter<'provider' | 'result'>;
  readonly runtimePods: Gauge<'namespace' | 'phase'>;
  readonly containerRestarts: Counter<'namespace' | 'pod' | 'container'>;
  /** `probe`: startup, liveness, readiness; one per failed attempt (each `Unhealthy` event). */
  readonly probeFailures: Counter<'namespace' | 'probe'>;
  readonly proxyConnections: Counter<'service'>;
  readonly proxyActiveConnections: Gauge<'service'>;
  readonly proxyErrors: Counter<'service'>;
  readonly proxyRetries: Counter<'service'>;
  readonly proxyReadyEndpoints: Gauge<'service' | 'port'>;
  /** A source threw while being read for a scrape (e.g. Redis down for the queue depth). */
  readonly scrapeErrors: Counter<'source'>;
}

export interface BatonMetricsOptions {
  /** Also export process and Node.js metrics (`baton_process_cpu_seconds_total`, heap, event loop lag…). @defaultValue true */
  defaultMetrics?: boolean;
}

const SYNC_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const GIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RECONCILE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16];

/**
 * Creates baton's metrics in `registry` (a fresh one by default, so two
 * controllers in one process, or tests, never collide). Names follow Argo
 * CD's where the meaning is the same (`argocd_app_sync_total` →
 * `baton_app_sync_total`). Gauges that mirror outside state read their
 * source at scrape time, so they are never stale.
 */
export function createBatonMetrics(registry: Registry = new Registry(), options: BatonMetricsOptions = {}): BatonMetrics {
  const registers = [registry];
  const sources: MetricSources = {};
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'baton_' });

  const reading = new Set<Promise<unknown>>();
  const failures = new Map<string, number>();
  /** Reads a source for a scrape; a failing source exports no series and counts an error. */
  function read<T>(source: string, fn: (() => T | Promise<T>) | undefined): Promise<T | undefined> {
    if (!fn) return Promise.resolve(undefined);
    const result = (async () => {
      try {
        return await fn();
      } catch {
        failures.set(source, (failures.get(source) ?? 0) + 1);
        return undefined;
      }
    })();
    reading.add(result);
    void result.finally(() => reading.delete(result));
    return result;
  }

  // Several metrics read one source; a scrape collects them all at once, so they share one read.
  const pods = sharedRead(() => read('pods', sources.pods));
  const proxy = sharedRead(() => read('proxy', sources.proxyStats));

  const metrics: BatonMetrics = {
    registry,
    sources,
    appSync: new Counter({ name: 'baton_app_sync_total', help: 'Syncs of applications by result', labelNames: ['name', 'namespace', 'phase'] as const, registers }),
    appSyncDuration: new Histogram({
      name: 'baton_app_sync_duration_seconds',
      help: 'How long a sync took: render, apply, prune and health gate',
      labelNames: ['name', 'namespace', 'phase'] as const,
      buckets: SYNC_BUCKETS,
      registers,
    }),
    appReconcile: new Histogram({
      name: 'baton_app_reconcile_seconds',
      help: 'How long planning an app took (tree check, render, diff against live)',
      labelNames: ['name', 'namespace'] as const,
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    appRollbacks: new Counter({ name: 'baton_app_rollback_total', help: 'Rollbacks of applications', labelNames: ['name', 'namespace', 'reason'] as const, registers }),
    appInfo: new Gauge({
      name: 'baton_app_info',
      help: 'Information about applications: health and sync status (value 1)',
      labelNames: ['name', 'namespace', 'cluster', 'health_status', 'sync_status'] as const,
      registers,
      async collect() {
        this.reset();
        for (const app of (await read('apps', sources.apps)) ?? []) {
          this.set({ name: app.name, namespace: app.namespace, cluster: app.cluster, health_status: app.health, sync_status: app.syncStatus }, 1);
        }
      },
    }),
    queueJobs: new Gauge({
      name: 'baton_queue_jobs',
      help: 'Sync jobs in the queue by state',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        this.reset();
        const depth = await read('queue', sources.queueDepth);
        if (depth) for (const [state, n] of Object.entries(depth)) this.set({ state }, n);
      },
    }),
    queueWait: new Histogram({ name: 'baton_queue_wait_seconds', help: 'Time a sync job waited in the queue before it started', buckets: WAIT_BUCKETS, registers }),
    queueCoalesced: new Counter({ name: 'baton_queue_jobs_coalesced_total', help: 'Sync jobs skipped because an earlier job already synced their request', registers }),
    queueDeferred: new Counter({ name: 'baton_queue_jobs_deferred_total', help: 'Sync jobs put back to wait on something (dependencies, cluster)', labelNames: ['name'] as const, registers }),
    gitRequests: new Counter({ name: 'baton_git_request_total', help: 'Git requests to repositories', labelNames: ['repo', 'request_type'] as const, registers }),
    gitRequestDuration: new Histogram({
      name: 'baton_git_request_duration_seconds',
      help: 'Duration of Git requests (ls-remote ref checks and fetches)',
      labelNames: ['repo', 'request_type'] as const,
      buckets: GIT_BUCKETS,
      registers,
    }),
    gitRequestFailures: new Counter({ name: 'baton_git_request_failures_total', help: 'Git requests that failed', labelNames: ['repo', 'request_type'] as const, registers }),
    sourceRevisions: new Counter({ name: 'baton_source_revisions_total', help: 'New commits seen on followed branches', labelNames: ['repo'] as const, registers }),
    sourceErrors: new Counter({ name: 'baton_source_errors_total', help: 'Failed repository checks by error code', labelNames: ['repo', 'code'] as const, registers }),
    webhookRequests: new Counter({ name: 'baton_webhook_requests_total', help: 'Webhook deliveries by provider and result', labelNames: ['provider', 'result'] as const, registers }),
    runtimePods: new Gauge({
      name: 'baton_runtime_pods',
      help: 'Pods of the built-in runtime by phase',
      labelNames: ['namespace', 'phase'] as const,
      registers,
      async collect() {
        setPodPhases(this, await pods());
      },
    }),
    containerRestarts: new Counter({
      name: 'baton_runtime_container_restarts_total',
      help: 'Container restarts per pod of the built-in runtime (restartCount)',
      labelNames: ['namespace', 'pod', 'container'] as const,
      registers,
      async collect() {
        setRestarts(this, await pods());
      },
    }),
    probeFailures: new Counter({ name: 'baton_runtime_probe_failures_total', help: 'Failed probe attempts in the built-in runtime', labelNames: ['namespace', 'probe'] as const, registers }),
    proxyConnections: new Counter({
      name: 'baton_proxy_connections_total',
      help: 'Client connections accepted by the service proxy',
      labelNames: ['service'] as const,
      registers,
      async collect() {
        setPerService(this, await proxy(), (s) => s.connections);
      },
    }),
    proxyActiveConnections: new Gauge({
      name: 'baton_proxy_active_connections',
      help: 'Client connections open through the service proxy',
      labelNames: ['service'] as const,
      registers,
      async collect() {
        setPerService(this, await proxy(), (s) => s.activeConnections);
      },
    }),
    proxyErrors: new Counter({
      name: 'baton_proxy_errors_total',
      help: 'Proxied connections that found no ready endpoint or broke',
      labelNames: ['service'] as const,
      registers,
      async collect() {
        setPerService(this, await proxy(), (s) => s.errors);
      },
    }),
    proxyRetries: new Counter({
      name: 'baton_proxy_retries_total',
      help: 'Connect attempts moved to another endpoint after one failed',
      labelNames: ['service'] as const,
      registers,
      async collect() {
        setPerService(this, await proxy(), (s) => s.retries);
      },
    }),
    proxyReadyEndpoints: new Gauge({
      name: 'baton_proxy_ready_endpoints',
      help: 'Ready endpoints per Service port',
      labelNames: ['service', 'port'] as const,
      registers,
      async collect() {
        setReadyEndpoints(this, await proxy());
      },
    }),
    // Registered last, so its collect starts after every other one of a scrape and can wait for their reads.
    scrapeErrors: new Counter({
      name: 'baton_scrape_errors_total',
      help: 'Sources that failed while read for a scrape',
      labelNames: ['source'] as const,
      registers,
      async collect() {
        await Promise.allSettled([...reading]);
        for (const [source, n] of failures) this.inc({ source }, n);
        failures.clear();
      },
    }),
  };
  return metrics;
}
