import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RetryLaterError } from '../../controller/queue/retry-later-error.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { SyncWorker, type SyncWorkerOptions } from '../../controller/queue/sync-worker.js';
import { UnrecoverableError } from 'bullmq';
import type { SyncJobData, SyncOutcome } from '../../controller/queue/sync-job.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { gate } from './queue-helpers.js';
import { waitFor } from '../support/wait.js';

let redis: TestRedis;
let queue: SyncQueue;
const workers: SyncWorker[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.cleanup();
});
beforeEach(async () => {
  await redis.flush();
  queue = new SyncQueue({ redisUrl: redis.url, backoffBaseMs: 100 });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close(true)));
  await queue.close();
});

function startWorker(processor: (request: SyncJobData, attempt: number) => Promise<SyncOutcome>, options: Partial<SyncWorkerOptions> = {}): SyncWorker {
  const worker = new SyncWorker((request, ctx) => processor(request, ctx.attempt), { redisUrl: redis.url, ...options });
  workers.push(worker);
  return worker;
}

const ok = (request: SyncJobData): SyncOutcome => ({ result: 'Succeeded', revision: request.revision });

async function idle(): Promise<true | undefined> {
  const depth = await queue.depth();
  return depth.waiting + depth.active + depth.delayed === 0 ? true : undefined;
}

describe('SyncQueue and SyncWorker', () => {
  it('collapses a burst of requests for one app into at most two syncs, the last of the newest revision, one at a time across workers', async () => {
    const processed: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const firstStarted = gate();
    const release = gate();
    const processor = async (request: SyncJobData) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      firstStarted.open();
      await release.promise;
      processed.push(request.revision);
      running--;
      return ok(request);
    };
    for (let i = 0; i < 2; i++) await startWorker(processor, { concurrency: 4 }).waitUntilReady();

    await queue.enqueue({ app: 'shop', revision: 'rev-1', trigger: 'poll' });
    await firstStarted.promise;
    for (let i = 2; i <= 10; i++) await queue.enqueue({ app: 'shop', revision: `rev-${i}`, trigger: i % 2 ? 'webhook' : 'poll' });
    release.open();
    await waitFor('the newest revision to be synced', () => (processed.at(-1) === 'rev-10' ? true : undefined));
    await waitFor('the queue to drain', idle);

    expect(processed.length).toBeLessThanOrEqual(2);
    expect(processed.at(-1)).toBe('rev-10');
    expect(maxRunning).toBe(1);
  });

  it('queues many requests at once in the order given, one pending sync per app, as one at a time would', async () => {
    const processed: string[] = [];
    const worker = startWorker(async (request) => {
      processed.push(`${request.app}@${request.revision}`);
      return ok(request);
    }, { autorun: false, concurrency: 1 });
    await queue.enqueue({ app: 'db', revision: 'rev-0', trigger: 'poll', prune: true });
    const queued = await queue.enqueueAll(['db', 'api', 'web', 'api'].map((app, i) => ({ app, revision: `rev-${i + 1}`, trigger: 'poll' as const })));
    expect(queued.map((q) => q.seq)).toEqual([2, 3, 4, 5]);
    expect(queued[3].jobId).toBe(queued[1].jobId);
    // The unserved `--prune` request is carried into the newer one that replaces it.
    expect(await queue.latestRequest('db')).toMatchObject({ revision: 'rev-1', prune: true });
    expect((await queue.depth()).waiting).toBe(3);
    worker.worker.run().catch(() => undefined);
    await waitFor('the queue to drain', idle);
    expect(processed).toEqual(['db@rev-1', 'api@rev-4', 'web@rev-3']);
  });

  it('serves a large batch in the order given (its adds are sent without waiting for each reply)', async () => {
    const processed: string[] = [];
    const worker = startWorker(async (request) => {
      processed.push(request.app);
      return ok(request);
    }, { autorun: false, concurrency: 1 });
    const apps = Array.from({ length: 200 }, (_, i) => `app-${(i * 37) % 200}`);
    await queue.enqueueAll(apps.map((app) => ({ app, revision: 'r1', trigger: 'poll' as const })));
    worker.worker.run().catch(() => undefined);
    await waitFor('the queue to drain', idle);
    expect(processed).toEqual(apps);
  });

  it('serves requests made while the app waits for a worker with one sync of the newest', async () => {
    const processed: string[] = [];
    const worker = startWorker(async (request) => {
      processed.push(request.revision);
      return ok(request);
    }, { autorun: false });
    for (let i = 1; i <= 5; i++) await queue.enqueue({ app: 'catalog', revision: `rev-${i}`, trigger: 'poll' });
    expect((await queue.depth()).waiting).toBe(1);
    expect(await queue.pendingState('catalog')).toBe('waiting');

    worker.run();
    await waitFor('the sync', () => (processed.length > 0 ? true : undefined));
    await waitFor('the queue to drain', idle);
    expect(processed).toEqual(['rev-5']);
    expect(await queue.pendingState('catalog')).toBeUndefined();
  });

  it('a newer request keeps an unserved `baton sync --prune`; once served, the next request does not prune', async () => {
    const processed: SyncJobData[] = [];
    const worker = startWorker(async (request) => {
      processed.push(request);
      return ok(request);
    }, { autorun: false });
    await queue.enqueue({ app: 'catalog', revision: 'rev-1', trigger: 'manual', prune: true });
    await queue.enqueue({ app: 'catalog', revision: 'rev-2', trigger: 'poll' });
    worker.run();
    await waitFor('the sync', () => (processed.length > 0 ? true : undefined));
    await waitFor('the queue to drain', idle);
    expect(processed.map((r) => [r.revision, r.trigger, r.prune])).toEqual([['rev-2', 'poll', true]]);

    await queue.enqueue({ app: 'catalog', revision: 'rev-3', trigger: 'poll' });
    await waitFor('the second sync', () => (processed.length > 1 ? true : undefined));
    expect(processed[1]).toMatchObject({ revision: 'rev-3' });
    expect(processed[1]!.prune).toBeUndefined();
  });

  it('syncs two apps in parallel', async () => {
    const started = new Set<string>();
    const bothStarted = gate();
    const completed: string[] = [];
    const worker = startWorker(async (request) => {
      started.add(request.app);
      if (started.size === 2) bothStarted.open();
      // Each sync holds until the other app's has started: only possible if they run at once.
      await Promise.race([bothStarted.promise, new Promise((_, fail) => setTimeout(() => fail(new Error('ran alone')), 20_000))]);
      completed.push(request.app);
      return ok(request);
    }, { concurrency: 2 });
    const waits: number[] = [];
    worker.on('started', (e) => waits.push(e.waitMs));

    await queue.enqueue({ app: 'cart', revision: 'a1', trigger: 'poll' });
    await queue.enqueue({ app: 'auth', revision: 'b1', trigger: 'poll' });
    await waitFor('both syncs', () => (completed.length === 2 ? true : undefined));
    expect(completed.sort()).toEqual(['auth', 'cart']);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms >= 0)).toBe(true);
  });

  it('retries a transient error after a back-off delay, then succeeds', async () => {
    const attempts: number[] = [];
    const worker = startWorker(async (request, attempt) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error('connection reset by cluster');
      return ok(request);
    });
    const failures: { willRetry: boolean; message: string }[] = [];
    worker.on('failed', (e) => failures.push({ willRetry: e.willRetry, message: e.error.message }));
    const statesAfterFailure: string[] = [];
    worker.worker.on('failed', (job) => {
      if (job) void queue.queue.getJobState(job.id!).then((s) => statesAfterFailure.push(s));
    });
    const completed: SyncOutcome[] = [];
    worker.on('completed', (e) => completed.push(e.outcome));

    await queue.enqueue({ app: 'payments', revision: 'p1', trigger: 'manual' });
    await waitFor('success after retries', () => (completed.length ? true : undefined));
    expect(attempts).toEqual([1, 2, 3]);
    expect(failures).toEqual([
      { willRetry: true, message: 'connection reset by cluster' },
      { willRetry: true, message: 'connection reset by cluster' },
    ]);
    // A failed try waits out its back-off as a delayed job instead of running again at once.
    await waitFor('failure states', () => (statesAfterFailure.length === 2 ? true : undefined));
    expect(statesAfterFailure).toEqual(['delayed', 'delayed']);
    expect(completed).toEqual([{ result: 'Succeeded', revision: 'p1' }]);
  });

  it('does not retry an UnrecoverableError', async () => {
    const attempts: number[] = [];
    const worker = startWorker(async (_request, attempt) => {
      attempts.push(attempt);
      throw new UnrecoverableError('apps/broken/deploy.yaml:3: unknown field "spec.replica"');
    });
    const failures: boolean[] = [];
    worker.on('failed', (e) => failures.push(e.willRetry));
    const { jobId } = await queue.enqueue({ app: 'broken', revision: 'x1', trigger: 'poll' });

    await waitFor('the job to fail', async () => ((await queue.queue.getJobState(jobId)) === 'failed' ? true : undefined));
    const job = await queue.queue.getJob(jobId);
    expect(job?.failedReason).toContain('unknown field');
    expect(attempts).toEqual([1]);
    expect(failures).toEqual([false]);
  });

  it('replaces a sync waiting out its back-off when a newer revision arrives', async () => {
    const seen: string[] = [];
    const worker = startWorker(async (request) => {
      seen.push(request.revision);
      if (request.revision === 'bad') throw new Error('rollout failed');
      return ok(request);
    });
    const localQueue = new SyncQueue({ redisUrl: redis.url, backoffBaseMs: 3_600_000 });
    try {
      const failed = gate();
      worker.worker.on('failed', () => failed.open());
      await localQueue.enqueue({ app: 'search', revision: 'bad', trigger: 'poll' });
      await failed.promise;
      expect(await queue.pendingState('search')).toBe('delayed');

      await localQueue.enqueue({ app: 'search', revision: 'fixed', trigger: 'webhook' });
      await waitFor('the newer revision', () => (seen.includes('fixed') ? true : undefined));
      await waitFor('the queue to drain', idle);
      expect(seen).toEqual(['bad', 'fixed']);
    } finally {
      await localQueue.close();
    }
  });

  it('requeues a sync that waits on something without spending an attempt', async () => {
    const attempts: number[] = [];
    const worker = startWorker(async (request, attempt) => {
      attempts.push(attempt);
      if (attempts.length === 1) throw new RetryLaterError('waiting for auth to be Healthy', { delayMs: 200 });
      return ok(request);
    });
    const deferred: string[] = [];
    worker.on('deferred', (e) => deferred.push(e.reason));
    await queue.enqueue({ app: 'orders', revision: 'o1', trigger: 'poll' });
    await waitFor('the second run', () => (attempts.length === 2 ? true : undefined));
    expect(attempts).toEqual([1, 1]);
    expect(deferred).toEqual(['waiting for auth to be Healthy']);
  });

  it('rejects a malformed request at the edge', async () => {
    await expect(queue.enqueue({ app: 'a', revision: '', trigger: 'poll' })).rejects.toThrow(/revision must be a non-empty string/);
    await expect(queue.enqueue({ app: 'a', revision: 'r', trigger: 'push' as never })).rejects.toThrow(/trigger must be one of/);
  });
});
