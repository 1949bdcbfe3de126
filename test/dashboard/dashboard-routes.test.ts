import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitLookup } from '../../controller/edges/api/commit-lookup.js';
import { dashboardRouter } from '../../controller/edges/dashboard/dashboard-router.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { startApi, type ApiHarness } from '../api/api-harness.js';

// The server side of the dashboard: the API routes it added (whoami, commits; the object tree is
// exercised against a real runtime by dashboard-e2e) and the static router, over real Redis and Git.

describe('dashboard API routes', () => {
  let api: ApiHarness;
  let repo: string;
  let poller: SourcePoller;
  let commit: string;

  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'baton-dash-repo-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.invalid', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.invalid' } }).trim();
    git('init', '-q', '-b', 'main');
    await writeFile(join(repo, 'baton.yaml'), 'apps: []\n');
    git('add', '.');
    git('commit', '-qm', 'catalog 7.7.7\n\nwith a body');
    commit = git('rev-parse', 'HEAD');
    poller = new SourcePoller({ stateDir: join(repo, '.state') });
    poller.add({ id: repoId(repo), url: repo, intervalSeconds: 3600 });
    api = await startApi({ commitInfo: commitLookup(poller) });
  });

  afterAll(async () => {
    await api?.close();
    await poller?.close();
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('tells a token its role, so the dashboard shows buttons to deploy tokens only', async () => {
    expect((await api.call('GET', '/api/v1/whoami')).body).toEqual({ role: 'deploy' });
    expect((await api.call('GET', '/api/v1/whoami', { token: api.readonly })).body).toEqual({ role: 'read-only' });
    expect((await api.call('GET', '/api/v1/whoami', { token: 'nope' })).status).toBe(401);
  });

  it('sets the queue view cookie from the server, HttpOnly and SameSite=Strict, for the deploy token only', async () => {
    const set = await api.call('POST', '/api/v1/session');
    expect(set.status).toBe(204);
    const cookie = set.headers.get('set-cookie') ?? '';
    expect(cookie.split(';')[0]).toBe(`baton-token=${encodeURIComponent(api.deploy)}`);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await api.call('POST', '/api/v1/session', { token: api.readonly })).status).toBe(403);
    const cleared = await api.call('DELETE', '/api/v1/session');
    expect(cleared.status).toBe(204);
    expect(cleared.headers.get('set-cookie')).toMatch(/^baton-token=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('answers a commit id with its message and author, and says why it cannot', async () => {
    const found = await api.call('GET', `/api/v1/commits/${commit}`, { token: api.readonly });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ sha: commit, message: 'catalog 7.7.7\n\nwith a body', author: 'Ada <ada@example.invalid>' });
    expect((await api.call('GET', `/api/v1/commits/${'0'.repeat(40)}`)).status).toBe(404);
    const bad = await api.call('GET', '/api/v1/commits/HEAD');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^params\.sha: /);
  });

  it('answers 404 for the objects of an unknown app', async () => {
    const res = await api.call('GET', '/api/v1/apps/nope/resources');
    expect(res.status).toBe(404);
  });
});

describe('dashboardRouter', () => {
  let dir: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-dash-assets-'));
    const app = express();
    app.get('/api/v1/ping', (_req, res) => void res.json({ ok: true }));
    app.use(dashboardRouter({ assetsDir: dir }));
    server = await new Promise<Server>((done) => {
      const s = app.listen(0, '127.0.0.1', () => done(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says how to build the dashboard when it is not built', async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build/);
  });

  it('serves index.html at / revalidated, hashed files cached for good, under a strict Content-Security-Policy', async () => {
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>baton</title>');
    await writeFile(join(dir, 'app-ABC123.js'), 'export {};');
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>baton</title>');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(index.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    const script = await fetch(`${url}/app-ABC123.js`);
    expect(script.headers.get('cache-control')).toMatch(/immutable/);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // Routes mounted before it still answer; unknown paths fall through to a 404.
    expect(await (await fetch(`${url}/api/v1/ping`)).json()).toEqual({ ok: true });
    expect((await fetch(`${url}/nope.js`)).status).toBe(404);
  });
});
