import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { SyncWorker } from '../../controller/queue/sync-worker.js';
import type { SyncJobData, SyncOutcome } from '../../controller/queue/sync-job.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

// A sync whose worker died twice (two crashes while one app's sync ran, as the chaos harness's
// worker kills can do) was failed for good by BullMQ's stall limit without the sync running again:
// the app stayed "Syncing" and its commit was never deployed.

const fixture = fileURLToPath(new URL('./fixtures/hanging-worker.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const LOCK_MS = 3000;
const STALLED_CHECK_MS = 500;

let redis: TestRedis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis?.cleanup();
});

/** A worker process that takes the job and hangs in it, killed once it started the sync. */
async function killMidSync(app: string): Promise<void> {
  let output = '';
  const child = spawn(process.execPath, ['--import', tsx, fixture, redis.url, String(LOCK_MS), String(STALLED_CHECK_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(`a worker to start the sync of ${app}`, () => (output.includes(`STARTED ${app}`) ? true : undefined), { timeoutMs: 60_000 });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

it('syncs the request after two workers died running it', async () => {
  const queue = new SyncQueue({ redisUrl: redis.url });
  let worker: SyncWorker | undefined;
  try {
    const { jobId } = await queue.enqueue({ app: 'billing', revision: 'feed01', trigger: 'poll' });
    await killMidSync('billing');
    await killMidSync('billing');

    const synced: SyncJobData[] = [];
    worker = new SyncWorker<SyncOutcome>(
      async (request) => {
        synced.push(request);
        return { result: 'Succeeded', revision: request.revision };
      },
      { redisUrl: redis.url, lockDuration: LOCK_MS, stalledInterval: STALLED_CHECK_MS },
    );
    await waitFor('the job to finish', async () => {
      const state = await queue.queue.getJobState(jobId);
      return state === 'completed' || state === 'failed' ? state : undefined;
    }, { timeoutMs: 60_000 });
    const job = await queue.queue.getJob(jobId);
    expect(job?.failedReason).toBeFalsy();
    expect(synced.map((r) => [r.app, r.revision])).toEqual([['billing', 'feed01']]);
  } finally {
    await worker?.close(true);
    await queue.close();
  }
});

it('reports a sync that kept killing its workers as failed, so the app does not stay Syncing', async () => {
  const queue = new SyncQueue({ redisUrl: redis.url });
  let worker: SyncWorker | undefined;
  try {
    const { jobId } = await queue.enqueue({ app: 'poison', revision: 'dead01', trigger: 'poll' });
    for (let i = 0; i < 4; i++) await killMidSync('poison');
    const failures: Array<{ app: string; willRetry: boolean; message: string }> = [];
    worker = new SyncWorker<SyncOutcome>(async (request) => ({ result: 'Succeeded', revision: request.revision }), {
      redisUrl: redis.url,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
    });
    worker.on('failed', ({ request, willRetry, error }) => failures.push({ app: request.app, willRetry, message: error.message }));
    await waitFor('the job to fail', async () => ((await queue.queue.getJobState(jobId)) === 'failed' ? true : undefined), { timeoutMs: 60_000 });
    await waitFor('the failure to be reported', () => (failures.length > 0 ? true : undefined));
    expect(failures).toEqual([{ app: 'poison', willRetry: false, message: expect.stringMatching(/worker.*died|stalled/) }]);
  } finally {
    await worker?.close(true);
    await queue.close();
  }
});
