import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppController } from '../../controller/plan/app-controller.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { git } from '../support/git-http-server.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

// A commit touching one app of many wrote every other app's observedRevision and announced each
// (1,000 writes and events a commit in a 1,000-app repository); they now cost nothing, and still read as having seen it.

let dir: string;
let redis: TestRedis;
let controller: AppController | undefined;
const config = (name: string, a: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name} }\ndata: { a: "${a}" }\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-unchanged-'));
  redis = await startTestRedis();
  const repo = join(dir, 'repo');
  for (const name of ['web', 'auth', 'cart']) {
    await mkdir(join(repo, `apps/${name}`), { recursive: true });
    await writeFile(join(repo, `apps/${name}/config.yaml`), config(name, '1'));
  }
  await writeFile(join(repo, 'baton.yaml'), 'apps:\n  - { name: web, path: apps/web }\n  - { name: auth, path: apps/auth }\n  - { name: cart, path: apps/cart }\n');
  await git(repo, 'init', '-q', '-b', 'main');
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'apps');
}, 60_000);

afterAll(async () => {
  await controller?.close();
  await redis?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('AppController on a commit that touches one app', () => {
  it('writes and announces only that app, and every app reads as having seen the commit', { timeout: 60_000 }, async () => {
    const repo = join(dir, 'repo');
    controller = new AppController({ stateDir: join(dir, 'state'), redisUrl: redis.url, repositories: [{ id: repoId(repo), url: repo, intervalSeconds: 3600 }], driftCheckMs: 0 });
    await controller.start();
    const first = await git(repo, 'rev-parse', 'HEAD');
    const planned = async (commit: string) => {
      const deadline = Date.now() + 30_000;
      while ((await controller!.state.getApp('web'))?.observedRevision !== commit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await controller!.idle();
    };
    await planned(first);
    expect((await controller.state.listApps()).map((a) => a.observedRevision)).toEqual([first, first, first]);

    const before = (await controller.state.readEvents()).length;
    await writeFile(join(repo, 'apps/auth/config.yaml'), config('auth', '2'));
    await git(repo, 'commit', '-qam', 'auth 2');
    const second = await git(repo, 'rev-parse', 'HEAD');
    await controller.poller.refresh(repoId(repo));
    await planned(second);

    const events = (await controller.state.readEvents()).slice(before);
    expect(events.filter((e) => e.app !== undefined && e.app !== 'auth')).toEqual([]);
    expect(events.filter((e) => e.app === 'auth').map((e) => e.type)).toContain('app.updated');
    expect(events.filter((e) => e.type === 'repository.observed').map((e) => e.data)).toEqual([{ repository: repoId(repo), revision: second }]);
    const statuses = await controller.state.listApps();
    expect(statuses.map((a) => [a.name, a.observedRevision])).toEqual([
      ['auth', second],
      ['cart', second],
      ['web', second],
    ]);
    expect(await controller.queue.latestRequest('auth')).toMatchObject({ revision: second, trigger: 'poll' });
    expect(await controller.queue.latestRequest('web')).toMatchObject({ revision: first });
  });
});
