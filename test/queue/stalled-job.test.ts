import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { SyncWorker } from '../../controller/queue/sync-worker.js';
import type { SyncJobData, SyncOutcome } from '../../controller/queue/sync-job.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

const fixture = fileURLToPath(new URL('./fixtures/hanging-worker.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
// Short locks and checks so a dead worker's job is recovered within seconds, not the default 30 s.
// Every worker must use the same check interval: the last check sets when the next may run.
const LOCK_MS = 3000;
const STALLED_CHECK_MS = 500;

let redis: TestRedis;
let child: ChildProcess | undefined;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await redis?.cleanup();
});

it('recovers the job of a worker killed mid-sync and completes it on another worker', async () => {
  const queue = new SyncQueue({ redisUrl: redis.url });
  let worker: SyncWorker | undefined;
  try {
    let output = '';
    child = spawn(process.execPath, ['--import', tsx, fixture, redis.url, String(LOCK_MS), String(STALLED_CHECK_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the child worker to be ready', () => (output.includes('READY') ? true : undefined), { timeoutMs: 60_000 });

    const { jobId } = await queue.enqueue({ app: 'inventory', revision: 'c0ffee', trigger: 'webhook' });
    await waitFor('the child to start the sync', () => (output.includes('STARTED inventory c0ffee') ? true : undefined));
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    expect(await queue.queue.getJobState(jobId)).toBe('active');

    const synced: SyncJobData[] = [];
    worker = new SyncWorker<SyncOutcome>(
      async (request) => {
        synced.push(request);
        return { result: 'Succeeded', revision: request.revision };
      },
      { redisUrl: redis.url, lockDuration: LOCK_MS, stalledInterval: STALLED_CHECK_MS },
    );
    await waitFor('the recovered job to complete', async () => ((await queue.queue.getJobState(jobId)) === 'completed' ? true : undefined));
    expect(synced.map((r) => [r.app, r.revision])).toEqual([['inventory', 'c0ffee']]);
    const job = await queue.queue.getJob(jobId);
    expect(job?.returnvalue).toMatchObject({ skipped: false, outcome: { result: 'Succeeded', revision: 'c0ffee' } });
  } finally {
    await worker?.close(true);
    await queue.close();
  }
});
