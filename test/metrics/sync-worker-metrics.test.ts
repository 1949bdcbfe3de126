import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatonMetrics, type BatonMetrics } from '../../controller/observe/metrics/baton-metrics.js';
import { observeApps, observeQueue } from '../../controller/observe/metrics/observe-state.js';
import { observeSyncWorker } from '../../controller/observe/metrics/observe-sync-worker.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { SyncWorker } from '../../controller/queue/sync-worker.js';
import { UnrecoverableError } from 'bullmq';
import type { SyncJobData, SyncOutcome } from '../../controller/queue/sync-job.js';
import { gate } from '../queue/queue-helpers.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { sampleValue } from './parse-exposition.js';
import { serveMetrics } from './serve-metrics.js';
import { waitFor } from '../support/wait.js';

let redis: TestRedis;
let queue: SyncQueue;
let worker: SyncWorker;
let metrics: BatonMetrics;
let server: Awaited<ReturnType<typeof serveMetrics>>;
const hold = gate();

/** What each app's sync does: the outcome a real sync reports, or a throw. */
function processor(request: SyncJobData): Promise<SyncOutcome> {
  switch (request.app) {
    case 'catalog':
      return Promise.resolve({ result: 'Succeeded', revision: request.revision });
    case 'cart':
      return Promise.resolve({ result: 'RolledBack', revision: 'aaaaaaa', message: 'health gate failed' });
    case 'held':
      return hold.promise.then(() => ({ result: 'Succeeded' as const, revision: request.revision }));
    default:
      return Promise.reject(new UnrecoverableError(`no such app ${request.app}`));
  }
}

beforeAll(async () => {
  redis = await startTestRedis();
  queue = new SyncQueue({ redisUrl: redis.url, attempts: 1 });
  worker = new SyncWorker(processor, { redisUrl: redis.url, concurrency: 2 });
  await worker.waitUntilReady();
  metrics = createBatonMetrics();
  const namespaces: Record<string, string> = { catalog: 'shop', cart: 'shop', held: 'ops' };
  observeSyncWorker(metrics, worker, { namespaceOf: (app) => namespaces[app] });
  observeQueue(metrics, queue);
  observeApps(metrics, () => [
    { name: 'catalog', namespace: 'shop', cluster: 'local', health: 'Healthy', syncStatus: 'Synced' },
    { name: 'cart', namespace: 'shop', cluster: 'local', health: 'Degraded', syncStatus: 'OutOfSync' },
  ]);
  server = await serveMetrics(metrics);
});

afterAll(async () => {
  hold.open();
  await server?.close();
  await worker?.close(true);
  await queue?.close();
  await redis?.cleanup();
});

describe('sync metrics from a real SyncWorker', () => {
  it('counts syncs by app and result, rollbacks and queue waits, and shows app status and queue depth', async () => {
    const before = await server.scrape();
    expect(sampleValue(before, 'baton_app_sync_total')).toBeUndefined();

    await queue.enqueue({ app: 'catalog', revision: 'c1', trigger: 'poll' });
    await queue.enqueue({ app: 'cart', revision: 'c1', trigger: 'webhook' });
    await queue.enqueue({ app: 'ghost', revision: 'c1', trigger: 'manual' });
    await waitFor('three results', async () => {
      const m = await server.scrape();
      return (sampleValue(m, 'baton_app_sync_duration_seconds_count', { name: 'ghost' }) ?? 0) >= 1 &&
        (sampleValue(m, 'baton_app_sync_total', { name: 'cart' }) ?? 0) >= 1 &&
        (sampleValue(m, 'baton_app_sync_total', { name: 'catalog' }) ?? 0) >= 1
        ? true
        : undefined;
    });
    await queue.enqueue({ app: 'catalog', revision: 'c0', trigger: 'rollback' });
    const m = await waitFor('the manual rollback', async () => {
      const s = await server.scrape();
      return sampleValue(s, 'baton_app_rollback_total', { name: 'catalog' }) === 1 ? s : undefined;
    });

    expect(sampleValue(m, 'baton_app_sync_total', { name: 'catalog', namespace: 'shop', phase: 'Succeeded' })).toBe(2);
    expect(sampleValue(m, 'baton_app_sync_total', { name: 'cart', namespace: 'shop', phase: 'RolledBack' })).toBe(1);
    expect(sampleValue(m, 'baton_app_sync_total', { name: 'ghost', namespace: '', phase: 'Error' })).toBe(1);
    expect(sampleValue(m, 'baton_app_rollback_total', { name: 'cart', reason: 'auto' })).toBe(1);
    expect(sampleValue(m, 'baton_app_rollback_total', { name: 'catalog', reason: 'manual' })).toBe(1);
    expect(sampleValue(m, 'baton_app_sync_duration_seconds_count', { name: 'catalog', phase: 'Succeeded' })).toBe(2);
    expect(sampleValue(m, 'baton_queue_wait_seconds_count')).toBe(4);
    expect(sampleValue(m, 'baton_app_info', { name: 'cart', health_status: 'Degraded', sync_status: 'OutOfSync' })).toBe(1);
    expect(m.get('baton_app_sync_total')?.type).toBe('counter');
    expect(m.get('baton_app_sync_duration_seconds')?.type).toBe('histogram');
    // Process metrics carry the prefix too.
    expect(m.has('baton_process_cpu_seconds_total')).toBe(true);
  });

  it('reads the queue depth at each scrape', async () => {
    await queue.enqueue({ app: 'held', revision: 'h1', trigger: 'poll' });
    const active = await waitFor('held job running', async () => {
      const s = await server.scrape();
      return sampleValue(s, 'baton_queue_jobs', { state: 'active' }) === 1 ? s : undefined;
    });
    expect(sampleValue(active, 'baton_queue_jobs', { state: 'waiting' })).toBe(0);
    hold.open();
    await waitFor('queue empty', async () => (sampleValue(await server.scrape(), 'baton_queue_jobs', { state: 'active' }) === 0 ? true : undefined));
  });

  it('keeps serving when a source fails, counting the failure', async () => {
    const stop = observeApps(metrics, () => Promise.reject(new Error('redis down')));
    const m = await server.scrape();
    stop();
    expect(sampleValue(m, 'baton_app_info')).toBeUndefined();
    expect(sampleValue(m, 'baton_scrape_errors_total', { source: 'apps' })).toBe(1);
  });
});
