import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startRedisServer } from '../../controller/redis/redis-server.js';
import { StateStore } from '../../controller/state/state-store.js';
import { SyncRegistry } from '../../controller/state/sync-registry.js';
import type { RevisionHistoryEntry } from '../../controller/state/revision-history.js';
import type { StateEvent } from '../../controller/state/state-event.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';

let redis: TestRedis;
let store: StateStore;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.cleanup();
});
beforeEach(async () => {
  await redis.flush();
  store = new StateStore({ redisUrl: redis.url, historyLimit: 5, healthyLimit: 2 });
});
afterEach(async () => {
  await store.close();
});

function entry(revision: string, result: RevisionHistoryEntry['result'] = 'Succeeded'): Omit<RevisionHistoryEntry, 'id'> {
  return {
    revision,
    digest: `sha256:${revision}`,
    result,
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:00:02.500Z',
    durationMs: 2500,
    trigger: 'poll',
    message: result === 'Succeeded' ? 'synced and healthy' : 'readiness probe failed: HTTP 503 — “/healthz”',
  };
}

const deployment = (image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'catalog', namespace: 'shop', labels: {} },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image, args: [] }] } } },
});

describe('StateStore', () => {
  it('registers an app with an Unknown status and round-trips status changes', async () => {
    expect(await store.ensureApp({ name: 'catalog', namespace: 'shop', cluster: 'local' })).toBe(true);
    expect(await store.getApp('catalog')).toEqual({
      name: 'catalog',
      namespace: 'shop',
      cluster: 'local',
      revision: null,
      syncStatus: 'Unknown',
      health: 'Unknown',
      message: '',
      lastSync: null,
      observedRevision: null,
      manifestDigest: null,
      origin: { kind: 'branch' },
    });

    expect(await store.updateApp('catalog', { observedRevision: 'abc123', syncStatus: 'OutOfSync', pinnedRevision: 'abc000' })).toBe(true);
    // Registering again (a controller restart) keeps what is known.
    expect(await store.ensureApp({ name: 'catalog', namespace: 'shop-2', cluster: 'local' })).toBe(false);
    expect(await store.updateApp('catalog', { pinnedRevision: undefined })).toBe(true);
    const status = await store.getApp('catalog');
    expect(status).toMatchObject({ namespace: 'shop-2', observedRevision: 'abc123', syncStatus: 'OutOfSync' });
    expect(status).not.toHaveProperty('pinnedRevision');

    expect(await store.updateApp('ghost', { health: 'Healthy' })).toBe(false);
    expect(await store.getApp('ghost')).toBeUndefined();
  });

  it('registers and changes many apps in one call, as one at a time would, each with its own event', async () => {
    await store.ensureApp({ name: 'web', namespace: 'web', cluster: 'local' });
    await store.updateApp('web', { syncStatus: 'Synced', pinnedRevision: 'abc000' });
    expect(await store.ensureApps([{ name: 'web', namespace: 'web-2', cluster: 'local' }, { name: 'auth', namespace: 'auth', cluster: 'local' }])).toEqual([false, true]);
    const after = (await store.readEvents()).length;
    const observed = { observedRevision: 'def456' };
    expect(await store.updateApps([['web', observed], ['ghost', observed], ['auth', { ...observed, pinnedRevision: undefined, message: 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ' }]])).toEqual([true, false, true]);
    expect(await store.getApps(['web', 'ghost', 'auth'])).toEqual([
      expect.objectContaining({ namespace: 'web-2', syncStatus: 'Synced', pinnedRevision: 'abc000', observedRevision: 'def456' }),
      undefined,
      expect.objectContaining({ name: 'auth', syncStatus: 'Unknown', observedRevision: 'def456' }),
    ]);
    expect((await store.getApp('auth'))?.message).not.toContain('eyJ');
    const events = (await store.readEvents()).slice(after);
    expect(events.map((e) => [e.type, e.app, e.data])).toEqual([
      ['app.updated', 'web', observed],
      ['app.updated', 'auth', { observedRevision: 'def456', message: expect.not.stringContaining('eyJ') }],
    ]);
  });

  it('reads only the fields asked for, as getApps has them; nothing for an unknown app', async () => {
    await store.ensureApp({ name: 'web', namespace: 'web', cluster: 'local' });
    await store.updateApp('web', { syncStatus: 'Synced', revision: 'abc123', pinnedRevision: 'abc000', lastSync: '2026-01-01T00:00:00.000Z' });
    expect(await store.getAppFields(['web', 'ghost'], ['revision', 'syncStatus', 'pinnedRevision', 'lastFailedRevision', 'lastSync'])).toEqual([
      { name: 'web', revision: 'abc123', syncStatus: 'Synced', pinnedRevision: 'abc000', lastSync: '2026-01-01T00:00:00.000Z' },
      undefined,
    ]);
    const [full] = await store.getApps(['web']);
    expect(await store.getAppFields(['web'], ['revision', 'health', 'message', 'manifestDigest'])).toEqual([
      { name: 'web', revision: full!.revision, health: full!.health, message: full!.message, manifestDigest: full!.manifestDigest },
    ]);
  });

  it("marks a repository's apps observed in one write, each app's own later write standing over the mark", async () => {
    const registry = new SyncRegistry(redis.url);
    try {
      for (const name of ['web', 'auth', 'cart']) await store.ensureApp({ name, namespace: name, cluster: 'local' });
      await registry.setApps('mono', ['web', 'auth']);
      await store.updateApp('web', { observedRevision: 'c1' });
      const before = (await store.readEvents()).length;
      await store.markObserved('mono', 'c2');
      // One event for the repository, none per app.
      expect((await store.readEvents()).slice(before).map((e) => [e.type, e.app, e.data])).toEqual([['repository.observed', undefined, { repository: 'mono', revision: 'c2' }]]);
      // cart is no app of the repository: the mark is not its.
      expect((await store.getApps(['web', 'auth', 'cart'])).map((a) => a?.observedRevision)).toEqual(['c2', 'c2', null]);
      // A worker syncing an older revision after the mark writes its own, as before the mark existed.
      await store.updateApp('web', { syncStatus: 'Syncing', observedRevision: 'c1' });
      expect((await store.getApp('web'))?.observedRevision).toBe('c1');
      await store.markObserved('mono', 'c3');
      expect((await store.getApp('web'))?.observedRevision).toBe('c3');
      expect(await store.getApp('web')).not.toHaveProperty('observedSeq');
      // An app registered after the mark has seen nothing yet.
      await store.ensureApp({ name: 'new', namespace: 'new', cluster: 'local' });
      await registry.setApps('mono', ['new']);
      expect((await store.getApp('new'))?.observedRevision).toBeNull();
    } finally {
      await registry.close();
    }
  });

  it('lists apps by name and forgets a deleted one with its history', async () => {
    for (const name of ['web', 'auth', 'cart']) await store.ensureApp({ name, namespace: name, cluster: 'local' });
    await store.recordSync('auth', { entry: entry('r1') });
    expect((await store.listApps()).map((a) => a.name)).toEqual(['auth', 'cart', 'web']);

    await store.deleteApp('auth');
    expect((await store.listApps()).map((a) => a.name)).toEqual(['cart', 'web']);
    expect(await store.getHistory('auth')).toEqual([]);
    // A sync that finishes after its app was deleted does not bring it back.
    expect(await store.recordSync('auth', { entry: entry('r2') })).toBeUndefined();
    expect(await store.getApp('auth')).toBeUndefined();
  });

  it('keeps history newest first, numbered, and capped', async () => {
    await store.ensureApp({ name: 'cart', namespace: 'shop', cluster: 'local' });
    for (let i = 1; i <= 7; i++) {
      const recorded = await store.recordSync('cart', {
        entry: entry(`r${i}`, i === 6 ? 'Failed' : 'Succeeded'),
        status: { revision: `r${i}`, syncStatus: 'Synced', health: 'Healthy', lastSync: `2026-11-25T10:0${i}:00.000Z` },
      });
      expect(recorded?.id).toBe(i);
    }
    const history = await store.getHistory('cart');
    expect(history.map((h) => [h.id, h.revision, h.result])).toEqual([
      [7, 'r7', 'Succeeded'],
      [6, 'r6', 'Failed'],
      [5, 'r5', 'Succeeded'],
      [4, 'r4', 'Succeeded'],
      [3, 'r3', 'Succeeded'],
    ]);
    expect(history[1].message).toBe('readiness probe failed: HTTP 503 — “/healthz”');
    expect(await store.getHistory('cart', 2)).toHaveLength(2);
    expect(await store.getApp('cart')).toMatchObject({ revision: 'r7', lastSync: '2026-11-25T10:07:00.000Z' });
  });

  it('keeps the manifests of the last healthy revisions for rollbacks', async () => {
    await store.ensureApp({ name: 'catalog', namespace: 'shop', cluster: 'local' });
    for (const rev of ['v1', 'v2', 'v3']) {
      await store.recordSync('catalog', { entry: entry(rev), healthy: { revision: rev, digest: `sha256:${rev}`, objects: [deployment(`catalog:${rev}`)] } });
    }
    expect(await store.listHealthyRevisions('catalog')).toEqual(['v3', 'v2']);
    const last = await store.getHealthyManifests('catalog');
    expect(last).toMatchObject({ revision: 'v3', digest: 'sha256:v3' });
    // Objects come back exactly, empty lists and maps included.
    expect(last?.objects).toEqual([deployment('catalog:v3')]);
    expect((await store.getHealthyManifests('catalog', 'v2'))?.objects).toEqual([deployment('catalog:v2')]);
    expect(await store.getHealthyManifests('catalog', 'v1')).toBeUndefined();
  });

  it('streams events to subscribers in order and replays them after an id', async () => {
    await store.ensureApp({ name: 'search', namespace: 'shop', cluster: 'local' });
    const seen: StateEvent[] = [];
    const subscription = await store.subscribe((e) => seen.push(e));
    try {
      await store.updateApp('search', { syncStatus: 'Syncing' });
      await store.publish({ type: 'sync.started', app: 'search', data: { revision: 'r9' } });
      await store.recordSync('search', { entry: entry('r9'), status: { syncStatus: 'Synced' } });
      await waitFor('three events', () => (seen.length === 3 ? true : undefined));
    } finally {
      await subscription.close();
    }
    expect(seen.map((e) => e.type)).toEqual(['app.updated', 'sync.started', 'sync.recorded']);
    expect(seen[0]).toMatchObject({ app: 'search', data: { syncStatus: 'Syncing' } });
    expect(seen[2].data).toMatchObject({ entry: { id: 1, revision: 'r9' }, status: { syncStatus: 'Synced' } });

    const replay = await store.readEvents({ after: seen[0].id });
    expect(replay.map((e) => e.id)).toEqual([seen[1].id, seen[2].id]);
    const all = await store.readEvents();
    expect(all.map((e) => e.type)).toEqual(['app.registered', 'app.updated', 'sync.started', 'sync.recorded']);
  });
});

describe('StateStore across Redis restarts', () => {
  it('keeps state when Redis stops and starts again on the same dir, and when it is killed', async () => {
    const dir = `${redis.dir}/restart`;
    let server = await startRedisServer({ dir });
    let local = new StateStore({ redisUrl: server.url });
    try {
      await local.ensureApp({ name: 'payments', namespace: 'shop', cluster: 'local' });
      await local.recordSync('payments', {
        entry: entry('p1'),
        status: { revision: 'p1', syncStatus: 'Synced', health: 'Healthy' },
        healthy: { revision: 'p1', digest: 'sha256:p1', objects: [deployment('payments:1')] },
      });
      await local.close();
      await server.stop();

      server = await startRedisServer({ dir });
      local = new StateStore({ redisUrl: server.url });
      expect(await local.getApp('payments')).toMatchObject({ revision: 'p1', health: 'Healthy' });
      await local.recordSync('payments', { entry: entry('p2'), status: { revision: 'p2' } });
      await local.close();
      // A crash: no chance to flush anything.
      process.kill(server.pid, 'SIGKILL');
      await server.exited;

      server = await startRedisServer({ dir });
      local = new StateStore({ redisUrl: server.url });
      expect(await local.getApp('payments')).toMatchObject({ revision: 'p2', health: 'Healthy' });
      expect((await local.getHistory('payments')).map((h) => h.revision)).toEqual(['p2', 'p1']);
      expect((await local.getHealthyManifests('payments'))?.objects).toEqual([deployment('payments:1')]);
    } finally {
      await local.close().catch(() => {});
      await server.stop();
    }
  });
});
