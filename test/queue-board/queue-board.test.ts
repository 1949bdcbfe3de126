import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../controller/edges/api/token-store.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { queueBoardRouter } from '../../controller/edges/queue-board/queue-board-router.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

let redis: TestRedis;
let queue: SyncQueue;
let tokens: TokenStore;
let stateDir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  redis = await startTestRedis();
  queue = new SyncQueue({ redisUrl: redis.url });
  stateDir = await mkdtemp(join(tmpdir(), 'baton-board-'));
  tokens = await TokenStore.loadOrCreate(stateDir);
  const app = express();
  app.use(queueBoardRouter({ queue: queue.queue, tokens }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // No worker runs: the job stays waiting, for the board to show.
  await queue.enqueue({ app: 'catalog', revision: 'c0ffee1', trigger: 'webhook', message: 'push by alice' });
});

afterAll(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((done) => server.close(done));
  await queue?.close();
  await redis?.cleanup();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: 'manual' });

describe('the queue view at /admin/queues', () => {
  it('refuses a visitor with no token (401) or a bad one (401), and the read-only token (403)', async () => {
    const none = await get('/admin/queues');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toMatch(/token is required/);
    expect((await get('/admin/queues/api/queues')).status).toBe(401);
    expect((await get('/admin/queues', { authorization: 'Bearer not-a-token' })).status).toBe(401);
    expect((await get('/admin/queues', { cookie: 'baton-token=not-a-token' })).status).toBe(401);

    const readonly = await get('/admin/queues/api/queues', { authorization: `Bearer ${tokens.tokens.readonly}` });
    expect(readonly.status).toBe(403);
    expect(((await readonly.json()) as { message: string }).message).toMatch(/deploy token/);
    expect((await get(`/admin/queues?token=${encodeURIComponent(tokens.tokens.readonly)}`)).status).toBe(403);
    expect((await get('/admin/queues', { cookie: `baton-token=${encodeURIComponent(tokens.tokens.readonly)}` })).status).toBe(403);
  });

  it('shows the sync queue and its jobs to the deploy token sent as a bearer header', async () => {
    const page = await get('/admin/queues', { authorization: `Bearer ${tokens.tokens.deploy}` });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/admin/queues');
    // The page's script loads from below the same path, behind the same auth.
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await get(`/admin/queues/${script}`)).status).toBe(401);
    const asset = await get(`/admin/queues/${script}`, { authorization: `Bearer ${tokens.tokens.deploy}` });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const res = await get('/admin/queues/api/queues?activeQueue=sync&status=latest', { authorization: `Bearer ${tokens.tokens.deploy}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: Array<{ name: string; readOnlyMode: boolean; counts: Record<string, number>; jobs: Array<{ data: Record<string, unknown> }> }> };
    const sync = body.queues.find((q) => q.name === 'sync');
    expect(sync).toBeDefined();
    expect(sync!.readOnlyMode).toBe(true);
    expect(sync!.counts.waiting).toBe(1);
    expect(sync!.jobs.map((j) => j.data)).toEqual([expect.objectContaining({ app: 'catalog', revision: 'c0ffee1', trigger: 'webhook', message: 'push by alice' })]);
  });

  it('takes ?token= once: sets the baton-token cookie on /admin, drops the token from the URL, then the cookie is enough', async () => {
    const visit = await get(`/admin/queues/queue/sync?token=${encodeURIComponent(tokens.tokens.deploy)}&status=waiting`);
    expect(visit.status).toBe(303);
    expect(visit.headers.get('location')).toBe('/admin/queues/queue/sync?status=waiting');
    const setCookie = visit.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^baton-token=[^;]+;/);
    expect(setCookie).toMatch(/Path=\/admin/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);

    const cookie = setCookie.split(';')[0];
    const followed = await get('/admin/queues/queue/sync?status=waiting', { cookie });
    expect(followed.status).toBe(200);
    expect((await get('/admin/queues/api/queues', { cookie: `theme=dark; ${cookie}` })).status).toBe(200);
  });

  it('changes nothing: the queue is read-only in the board', async () => {
    const [job] = await queue.queue.getJobs(['waiting']);
    const res = await fetch(`${base}/admin/queues/api/queues/sync/${job.id}/clean`, { method: 'PUT', headers: { authorization: `Bearer ${tokens.tokens.deploy}` } });
    expect(res.status).toBe(405);
    expect(await queue.queue.getJobState(job.id!)).toBe('waiting');
  });
});
