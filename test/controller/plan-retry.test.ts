import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppController } from '../../controller/plan/app-controller.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { git } from '../support/git-http-server.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

// Found by reading the code during the chaos work: planning remembered an app's inputs key before
// its outcome was recorded and queued, so when Redis failed right then, every later commit that
// left the app's inputs alone skipped it, and the failed commit was never planned again.

let dir: string;
let redis: TestRedis;
let controller: AppController | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-plan-retry-'));
  redis = await startTestRedis();
  const repo = join(dir, 'repo');
  await mkdir(join(repo, 'apps/web'), { recursive: true });
  await writeFile(join(repo, 'baton.yaml'), 'apps:\n  - { name: web, path: apps/web }\n');
  await writeFile(join(repo, 'apps/web/config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { a: "1" }\n');
  await git(repo, 'init', '-q', '-b', 'main');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'web');
}, 60_000);

afterAll(async () => {
  await controller?.close();
  await redis?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('AppController planning when Redis fails mid-plan', () => {
  it('plans the same revision again, so the failed commit is still queued', { timeout: 60_000 }, async () => {
    const url = join(dir, 'repo');
    controller = new AppController({
      stateDir: join(dir, 'state'),
      redisUrl: redis.url,
      repositories: [{ id: repoId(url), url, intervalSeconds: 3600 }],
      driftCheckMs: 0,
      planRetryMs: 200,
    });
    // The first enqueue fails as it would with Redis unreachable; the ones after work.
    const enqueueAll = controller.queue.enqueueAll.bind(controller.queue);
    let failures = 1;
    controller.queue.enqueueAll = async (requests) => {
      if (failures-- > 0) throw new Error('connect ECONNREFUSED (Redis is down)');
      return enqueueAll(requests);
    };
    await controller.start();
    const deadline = Date.now() + 30_000;
    while (!(await controller.queue.latestRequest('web')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await controller.queue.latestRequest('web')).toMatchObject({ app: 'web', trigger: 'poll' });
    expect(failures).toBeLessThan(0);
  });
});
