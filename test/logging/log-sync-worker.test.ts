import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observe/logging/create-logger.js';
import { KnownSecrets } from '../../controller/censor/known-secrets.js';
import { logSyncWorker } from '../../controller/observe/logging/log-sync-worker.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { SyncWorker } from '../../controller/queue/sync-worker.js';
import { UnrecoverableError } from 'bullmq';
import type { SyncJobData, SyncOutcome } from '../../controller/queue/sync-job.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'glpat-SyncWorkerLeak0123456789';
let redis: TestRedis;
let queue: SyncQueue;
let worker: SyncWorker;
const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  queue = new SyncQueue({ redisUrl: redis.url, attempts: 1 });
  const processor = (request: SyncJobData): Promise<SyncOutcome> =>
    request.app === 'broken'
      ? Promise.reject(new UnrecoverableError(`clone of https://oauth2:${TOKEN}@gitlab.example/shop.git failed`))
      : Promise.resolve({ result: 'Succeeded', revision: request.revision });
  worker = new SyncWorker(processor, { redisUrl: redis.url });
  await worker.waitUntilReady();
  const logger = createLogger({
    name: 'sync-worker',
    level: 'debug',
    destination: {
      write: (s: string) => {
        raw.push(s);
        lines.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
    env: { BATON_GITLAB_TOKEN: TOKEN },
    knownSecrets: new KnownSecrets(),
  });
  logSyncWorker(logger, worker);
});

afterAll(async () => {
  await worker?.close(true);
  await queue?.close();
  await redis?.cleanup();
});

describe('logSyncWorker', () => {
  it('logs each job with app, revision and jobId, and keeps secrets in errors out', async () => {
    const ok = await queue.enqueue({ app: 'catalog', revision: 'a1b2c3d', trigger: 'poll' });
    await queue.enqueue({ app: 'broken', revision: 'ffff000', trigger: 'webhook' });
    await waitFor('both results logged', () => (lines.some((l) => l.msg === 'sync failed') && lines.some((l) => l.result === 'Succeeded') ? true : undefined));

    expect(lines.find((l) => l.msg === 'sync started' && l.app === 'catalog')).toMatchObject({ revision: 'a1b2c3d', jobId: ok.jobId, trigger: 'poll' });
    expect(lines.find((l) => l.result === 'Succeeded')).toMatchObject({ app: 'catalog', jobId: ok.jobId, level: 30 });
    const failed = lines.find((l) => l.msg === 'sync failed')!;
    expect(failed).toMatchObject({ app: 'broken', revision: 'ffff000', willRetry: false, level: 50 });
    expect(JSON.stringify(failed.err)).toContain('gitlab.example/shop.git failed');
    expect(raw.join('')).not.toContain(TOKEN);
  });
});
