import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffObjects } from '../../controller/plan/diff/diff-objects.js';
import { SyncWorker } from '../../controller/queue/sync-worker.js';
import type { SyncOutcome } from '../../controller/queue/sync-job.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { rev, runCli, SECRET_VALUE, secretObject, seedApp, startApi, type ApiHarness } from './api-harness.js';

let api: ApiHarness;
let worker: SyncWorker<SyncOutcome>;
// Each CLI run is a Node process loading every command through tsx: seconds of CPU on a shared machine.
const CLI_TIMEOUT = 600_000;
const connect = () => ['--server', api.url, '--token', api.deploy];

/**
 * A worker standing in for the sync reconciler's bookkeeping: it announces the
 * sync and records the result the app's name asks for, as the real one does.
 */
async function fakeSync(app: string, revision: string): Promise<SyncOutcome> {
  const started = new Date();
  await api.state.publish({ type: 'sync.started', app, data: { revision, trigger: 'manual' } });
  await api.state.updateApp(app, { syncStatus: 'Syncing', health: 'Progressing', message: `syncing to ${revision.slice(0, 7)}` });
  if (app === 'steady') {
    // Ends without a history entry, as an already-in-sync sync does.
    await api.state.updateApp(app, { syncStatus: 'Synced', health: 'Healthy', message: '' });
    return { result: 'Skipped', revision, message: 'already in sync' };
  }
  const result = app === 'broken' ? 'RolledBack' : 'Succeeded';
  const message = result === 'RolledBack' ? 'readiness probe failed; rolled back to aaaaaaa' : '';
  const finished = new Date();
  await api.state.recordSync(app, {
    entry: { revision, digest: 'sha256:x', result, startedAt: started.toISOString(), finishedAt: finished.toISOString(), durationMs: 5, trigger: 'manual', message },
    status: { syncStatus: result === 'Succeeded' ? 'Synced' : 'OutOfSync', health: result === 'Succeeded' ? 'Healthy' : 'Degraded', message, lastSync: finished.toISOString() },
  });
  return { result, revision };
}

beforeAll(async () => {
  api = await startApi({
    diff: async (app) => {
      const desired = [secretObject(app.namespace, app.name === 'catalog' ? 'changed-value' : SECRET_VALUE)] as unknown as KubeObject[];
      return { revision: app.revision ?? rev('0'), diff: diffObjects(desired, [secretObject(app.namespace, SECRET_VALUE)] as unknown as KubeObject[]) };
    },
  });
  for (const name of ['catalog', 'good', 'broken', 'steady']) await seedApp(api.state, name, [rev('a'), rev('b')], { namespace: 'shop' });
  await api.state.ensureApp({ name: 'cart', namespace: 'shop', cluster: 'local' });
  worker = new SyncWorker<SyncOutcome>((request) => fakeSync(request.app, request.revision), { redisUrl: api.redis.url });
  await worker.waitUntilReady();
});
afterAll(async () => {
  await worker?.close(true);
  await api?.close();
});

/** Runs CLI invocations a few at a time: each is a Node process with tsx, and the machine is shared. */
async function runAll(runs: Record<string, string[]>): Promise<Record<string, Awaited<ReturnType<typeof runCli>>>> {
  const entries = Object.entries(runs);
  const results: Record<string, Awaited<ReturnType<typeof runCli>>> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < entries.length) {
        const [key, args] = entries[next++];
        results[key] = await runCli(args);
      }
    }),
  );
  return results;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('baton CLI against the REST API', () => {
  it('lists apps, shows errors plainly and diffs, with the exit codes a script relies on', async () => {
    const port = await closedPort();
    const r = await runAll({
      appsTable: ['apps', ...connect()],
      appsJson: ['apps', '--server', api.url, '--state-dir', api.stateDir, '-o', 'json'],
      refused: ['apps', '--server', `http://127.0.0.1:${port}`, '--token', 'x'],
      unknownApp: ['app', 'nope', ...connect()],
      diffChanged: ['diff', 'catalog', ...connect()],
    });

    expect(r.appsTable.code).toBe(0);
    const lines = r.appsTable.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +NAMESPACE +CLUSTER +REVISION +SYNC +HEALTH +LAST SYNC +MESSAGE$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(['broken', 'cart', 'catalog', 'good', 'steady']);
    const column = lines[0].indexOf('SYNC');
    for (const line of lines.slice(1)) expect(line.slice(column).split(' ')[0]).toMatch(/^(Synced|Unknown)$/);
    expect(lines.find((l) => l.startsWith('catalog'))).toMatch(/^catalog +shop +local +bbbbbbb +Synced +Healthy +\d+[smh] ago$/);
    expect(lines.find((l) => l.startsWith('cart'))).toMatch(/^cart +shop +local +- +Unknown +Unknown +-$/);

    expect(r.appsJson.code).toBe(0);
    expect(JSON.parse(r.appsJson.stdout)).toEqual((await api.call('GET', '/api/v1/apps')).body);
    expect(r.refused.code).toBe(1);
    expect(r.refused.stderr).toContain(`baton apps: cannot reach the baton API at http://127.0.0.1:${port}: connection refused`);

    expect(r.unknownApp).toMatchObject({ code: 1 });
    expect(r.unknownApp.stderr).toMatch(/^baton app: no app named "nope"/);

    expect(r.diffChanged.code).toBe(1);
    expect(r.diffChanged.stdout).toContain('catalog at bbbbbbb: 0 to add, 1 to change, 0 to prune');
    expect(r.diffChanged.stdout).toContain('~ Secret shop/db');
    expect(r.diffChanged.stdout).toContain('(secret value changed)');
    expect(r.diffChanged.stdout).not.toContain('changed-value');
    expect(r.diffChanged.stdout).not.toContain(SECRET_VALUE);
  }, CLI_TIMEOUT);

  it('syncs and rolls back, following a sync to its end with --wait', async () => {
    const r = await runAll({
      good: ['sync', 'good', '--wait', ...connect()],
      broken: ['sync', 'broken', '--wait', ...connect()],
      steady: ['sync', 'steady', '--wait', ...connect()],
      rollback: ['rollback', 'catalog', ...connect()],
    });

    expect(r.good.stderr).toBe('');
    expect(r.good.code).toBe(0);
    expect(r.good.stdout).toMatch(/^sync of good to bbbbbbb queued$/m);
    expect(r.good.stdout).toMatch(/good {2}syncing to bbbbbbb \(manual\)$/m);
    expect(r.good.stdout).toMatch(/good {2}Succeeded at bbbbbbb after 0\.0s$/m);
    expect(r.good.stdout).toMatch(/^good is Healthy at bbbbbbb$/m);

    expect(r.broken.code).toBe(1);
    expect(r.broken.stdout).toMatch(/broken {2}RolledBack at bbbbbbb after 0\.0s: readiness probe failed/m);
    expect(r.broken.stderr).toMatch(/^baton sync: broken was rolled back: readiness probe failed/);

    expect(r.steady.code).toBe(0);
    expect(r.steady.stdout).toMatch(/^steady is Synced and Healthy at bbbbbbb$/m);

    expect(r.rollback.code).toBe(0);
    expect(r.rollback.stdout).toBe('rollback of catalog to aaaaaaa queued; catalog stays there until `baton sync catalog`\n');
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBe(rev('a'));

    // --prune asks the worker to prune this once past the prune guard.
    const forced = await runCli(['sync', 'good', '--prune', ...connect()]);
    expect(forced.code).toBe(0);
    expect(await api.queue.latestRequest('good')).toMatchObject({ trigger: 'manual', prune: true });
  }, CLI_TIMEOUT);
});
