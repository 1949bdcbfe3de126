import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../../controller/edges/api/token-store.js';
import { diffObjects } from '../../controller/plan/diff/diff-objects.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { rev, SECRET_VALUE, secretObject, seedApp, startApi, type ApiHarness } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi({
    // A diff provider as the controller supplies one: desired vs live through controller/plan/diff.
    diff: async (app) => {
      if (app.name === 'broken') throw new Error('apps/broken/deploy.yaml:3:5: unknown field "spec.replica"');
      return {
      revision: app.observedRevision ?? rev('f'),
        diff: diffObjects([secretObject(app.namespace, 'new-secret-value') as unknown as KubeObject], [secretObject(app.namespace, SECRET_VALUE) as unknown as KubeObject]),
      };
    },
  });
});
afterAll(() => api?.close());
beforeEach(async () => {
  await api.redis.flush();
});

describe('tokens', () => {
  it('are made on first start, owner-only, and read back unchanged', async () => {
    const deploy = await readFile(join(api.stateDir, 'api-token'), 'utf8');
    const readonly = await readFile(join(api.stateDir, 'api-token-readonly'), 'utf8');
    expect(deploy.trim()).toBe(api.deploy);
    expect(readonly.trim()).toBe(api.readonly);
    expect(api.deploy).not.toBe(api.readonly);
    expect(api.deploy.length).toBeGreaterThanOrEqual(40);
    expect((await stat(join(api.stateDir, 'api-token'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(api.stateDir, 'api-token-readonly'))).mode & 0o777).toBe(0o600);
    const again = await TokenStore.loadOrCreate(api.stateDir);
    expect(again.tokens).toEqual(api.tokens.tokens);
    expect(again.roleOf(api.deploy)).toBe('deploy');
    expect(again.roleOf(api.readonly)).toBe('read-only');
    expect(again.roleOf(`${api.deploy}x`)).toBeUndefined();
  });
});

describe('auth', () => {
  it('needs a bearer token on every /api/v1 route, but not on /healthz', async () => {
    const none = await api.call('GET', '/api/v1/apps', { token: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('Unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await api.call('GET', '/api/v1/apps', { token: 'not-a-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toMatch(/not valid/);
    const unknownRoute = await api.call('GET', '/api/v1/nothing-here', { token: null });
    expect(unknownRoute.status).toBe(401);
    const healthz = await api.call('GET', '/healthz', { token: null });
    expect(healthz.status).toBe(200);
  });

  it('lets the read-only token read but not sync or roll back', async () => {
    await seedApp(api.state, 'shop', [rev('a'), rev('b')]);
    expect((await api.call('GET', '/api/v1/apps', { token: api.readonly })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/apps/shop/history', { token: api.readonly })).status).toBe(200);
    for (const action of ['sync', 'rollback']) {
      const res = await api.call('POST', `/api/v1/apps/shop/${action}`, { token: api.readonly, body: {} });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: 'Forbidden', message: expect.stringMatching(/deploy token/) });
    }
    expect(await api.queue.latestRequest('shop')).toBeUndefined();
    expect((await api.state.getApp('shop'))?.pinnedRevision).toBeUndefined();
    expect((await api.call('POST', '/api/v1/apps/shop/sync', { token: api.deploy })).status).toBe(202);
  });
});

describe('apps', () => {
  it('lists apps with exactly the contract fields', async () => {
    await seedApp(api.state, 'catalog', [rev('a')], { namespace: 'shop' });
    await api.state.ensureApp({ name: 'cart', namespace: 'shop', cluster: 'local' });
    const res = await api.call('GET', '/api/v1/apps');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { name: 'cart', namespace: 'shop', cluster: 'local', revision: null, syncStatus: 'Unknown', health: 'Unknown', message: '', lastSync: null },
      {
        name: 'catalog',
        namespace: 'shop',
        cluster: 'local',
        revision: rev('a'),
        syncStatus: 'Synced',
        health: 'Healthy',
        message: '',
        lastSync: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('shows one app with its pin and queued sync, and 404s an unknown one', async () => {
    await seedApp(api.state, 'catalog', [rev('a')]);
    const one = await api.call('GET', '/api/v1/apps/catalog');
    expect(one.body).toMatchObject({ name: 'catalog', revision: rev('a'), pinnedRevision: null, pendingSync: null, observedRevision: rev('a') });
    await api.call('POST', '/api/v1/apps/catalog/sync');
    expect((await api.call('GET', '/api/v1/apps/catalog')).body.pendingSync).toBe('waiting');
    for (const path of ['', '/history', '/diff', '/logs']) {
      const res = await api.call('GET', `/api/v1/apps/nope${path}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'NotFound', message: expect.stringContaining('no app named "nope"') });
    }
    for (const action of ['sync', 'rollback']) expect((await api.call('POST', `/api/v1/apps/nope/${action}`)).status).toBe(404);
  });

  it('returns the history newest first, limited on request', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b'), rev('c')]);
    const all = await api.call('GET', '/api/v1/apps/catalog/history');
    expect(all.body.map((e: { revision: string }) => e.revision)).toEqual([rev('c'), rev('b'), rev('a')]);
    expect(all.body[0]).toMatchObject({ id: 3, result: 'Succeeded', trigger: 'poll', durationMs: 1200 });
    const two = await api.call('GET', '/api/v1/apps/catalog/history?limit=2');
    expect(two.body).toHaveLength(2);
    const bad = await api.call('GET', '/api/v1/apps/catalog/history?limit=zero');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^query\.limit: /);
  });

  it('never returns a Secret value: not in status, history, nor diff', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b')]);
    const diff = await api.call('GET', '/api/v1/apps/catalog/diff');
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ app: 'catalog', revision: rev('b'), inSync: false, counts: { changed: 1 } });
    expect(diff.body.objects[0]).toMatchObject({ kind: 'Secret', name: 'db', action: 'changed' });
    const bodies = await Promise.all(['', '/history', '/diff'].map((p) => api.call('GET', `/api/v1/apps/catalog${p}`)));
    for (const b of [...bodies, await api.call('GET', '/api/v1/apps')]) {
      expect(b.text).not.toContain(SECRET_VALUE);
      expect(b.text).not.toContain('new-secret-value');
    }
  });

  it("answers a diff that cannot be made with the provider's reason", async () => {
    await seedApp(api.state, 'broken', [rev('a')]);
    const res = await api.call('GET', '/api/v1/apps/broken/diff');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'DiffFailed', message: 'cannot diff broken: apps/broken/deploy.yaml:3:5: unknown field "spec.replica"' });
  });

  it('says plainly that logs are not served yet', async () => {
    await seedApp(api.state, 'catalog', [rev('a')]);
    const res = await api.call('GET', '/api/v1/apps/catalog/logs?tail=10');
    expect(res.status).toBe(501);
    expect(res.body).toEqual({ error: 'NotImplemented', message: expect.stringMatching(/pod logs are not available/) });
  });

  it('lists previews: none exist yet, a real empty list', async () => {
    const res = await api.call('GET', '/api/v1/previews', { token: api.readonly });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });
});

describe('sync', () => {
  it('enqueues a manual sync of the newest seen revision', async () => {
    await seedApp(api.state, 'catalog', [rev('a')]);
    await api.state.updateApp('catalog', { observedRevision: rev('d') });
    const res = await api.call('POST', '/api/v1/apps/catalog/sync');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ app: 'catalog', revision: rev('d'), unpinned: false, jobId: expect.any(String) });
    expect(await api.queue.latestRequest('catalog')).toMatchObject({ app: 'catalog', revision: rev('d'), trigger: 'manual', seq: res.body.seq });
  });

  it('clears a rollback pin: a manual sync follows the branch again', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b')]);
    await api.call('POST', '/api/v1/apps/catalog/rollback', { body: {} });
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBe(rev('a'));
    const res = await api.call('POST', '/api/v1/apps/catalog/sync', { body: {} });
    expect(res.body.unpinned).toBe(true);
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBeUndefined();
    expect(await api.queue.latestRequest('catalog')).toMatchObject({ revision: rev('b'), trigger: 'manual' });
  });

  it('prune: true forces prune for that sync (baton sync NAME --prune); anything but a boolean is refused', async () => {
    await seedApp(api.state, 'catalog', [rev('a')]);
    const res = await api.call('POST', '/api/v1/apps/catalog/sync', { body: { prune: true } });
    expect(res.status).toBe(202);
    expect(await api.queue.latestRequest('catalog')).toMatchObject({ trigger: 'manual', prune: true, message: 'manual sync with prune forced' });
    const bad = await api.call('POST', '/api/v1/apps/catalog/sync', { body: { prune: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('body.prune: must be true or false');
  });

  it('refuses an app whose repository was never read', async () => {
    await api.state.ensureApp({ name: 'fresh', namespace: 'fresh', cluster: 'local' });
    const res = await api.call('POST', '/api/v1/apps/fresh/sync');
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/no revision yet/);
  });
});

describe('rollback', () => {
  it('pins the app to the previous healthy revision and enqueues a rollback sync', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b'), rev('c')]);
    const res = await api.call('POST', '/api/v1/apps/catalog/rollback');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ app: 'catalog', revision: rev('b'), pinned: true });
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBe(rev('b'));
    expect(await api.queue.latestRequest('catalog')).toMatchObject({ revision: rev('b'), trigger: 'rollback' });
  });

  it('takes a given revision, abbreviated or whole, among the kept healthy ones', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b'), rev('c')]);
    const short = await api.call('POST', '/api/v1/apps/catalog/rollback', { body: { revision: 'aaaaaaa' } });
    expect(short.body.revision).toBe(rev('a'));
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBe(rev('a'));
    const unknown = await api.call('POST', '/api/v1/apps/catalog/rollback', { body: { revision: 'deadbeef' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/no healthy revision "deadbeef".*ccccccc, bbbbbbb, aaaaaaa/);
  });

  it('has nothing to go back to after a single healthy revision', async () => {
    await seedApp(api.state, 'catalog', [rev('a')]);
    const res = await api.call('POST', '/api/v1/apps/catalog/rollback');
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/no earlier healthy revision/);
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBeUndefined();
  });
});

describe('bad requests', () => {
  it('names the field that is wrong', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b')]);
    const cases: [unknown, RegExp][] = [
      [{ revision: 42 }, /^body\.revision: /],
      [{ revision: '' }, /^body\.revision: must be a non-empty commit id/],
      [{ revison: rev('a') }, /^body\.revison: unknown field/],
      [[rev('a')], /^body: must be a JSON object.*got an array$/],
      // `null` must not read as "no fields" (it pinned the app to the previous revision).
      [null, /^body: must be a JSON object.*got null$/],
      [7, /^body: must be a JSON object.*got a number$/],
      ['abc1234', /^body: must be a JSON object.*got a string$/],
    ];
    for (const [body, message] of cases) {
      const res = await api.call('POST', '/api/v1/apps/catalog/rollback', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ error: 'BadRequest', message: expect.stringMatching(message) });
    }
    const sync = await api.call('POST', '/api/v1/apps/catalog/sync', { body: { force: true } });
    expect(sync.body.message).toBe('body.force: unknown field');
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBeUndefined();
  });

  it('refuses bodies that are not JSON, malformed or too large', async () => {
    await seedApp(api.state, 'catalog', [rev('a'), rev('b')]);
    const malformed = await api.call('POST', '/api/v1/apps/catalog/rollback', { raw: '{"revision":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/^body: not valid JSON/);
    const text = await api.call('POST', '/api/v1/apps/catalog/rollback', { raw: 'revision=a', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    const big = await api.call('POST', '/api/v1/apps/catalog/rollback', { body: { revision: 'a'.repeat(100_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('PayloadTooLarge');
    expect((await api.state.getApp('catalog'))?.pinnedRevision).toBeUndefined();
  });
});
