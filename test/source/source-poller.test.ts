import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { normalizeUrl, repoId } from '../../controller/source/normalize-url.js';
import { SourcePoller, type RevisionEvent, type SourceErrorEvent } from '../../controller/source/source-poller.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';

let fx: GitFixture;
let server: GitHttpServer | undefined;
let poller: SourcePoller | undefined;

beforeEach(async () => {
  fx = await createGitFixture();
});
afterEach(async () => {
  await poller?.close();
  await server?.close();
  poller = undefined;
  server = undefined;
  await fx.cleanup();
});

function spec(url: string, intervalSeconds = 3600, extra: Partial<RepositorySpec> = {}): RepositorySpec {
  return { id: repoId(url), url, intervalSeconds, ...extra };
}

/** Resolves with the next event of `name` matching `pred`; rejects after `ms` with a message. */
function next<K extends 'revision' | 'error'>(
  p: SourcePoller,
  name: K,
  pred: (e: K extends 'revision' ? RevisionEvent : SourceErrorEvent) => boolean = () => true,
  ms = 20_000,
): Promise<K extends 'revision' ? RevisionEvent : SourceErrorEvent> {
  type E = K extends 'revision' ? RevisionEvent : SourceErrorEvent;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      p.off(name, listener as never);
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const listener = (e: E) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      p.off(name, listener as never);
      resolve(e);
    };
    p.on(name, listener as never);
  });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('SourcePoller', () => {
  it('reports the first revision, then a pushed commit on refresh by any spelling of the clone URL', async () => {
    const first = await fx.commit({ 'a.txt': '1\n' });
    server = await startGitHttpServer({ root: fx.root });
    poller = new SourcePoller({ stateDir: fx.stateDir });
    const url = `${server.url}/app.git`;
    const id = repoId(url);
    const initial = next(poller, 'revision');
    poller.add(spec(url));
    expect(await initial).toEqual({ repository: id, commit: first, previous: undefined });
    const status = poller.status(id)!;
    expect(status).toMatchObject({ lastCommit: first, failures: 0, error: undefined });
    expect(status.lastFetch).toBeInstanceOf(Date);
    // Next check an interval (3600 s ± 10%) away.
    const wait = status.nextCheckAt!.getTime() - status.lastCheck!.getTime();
    expect(wait).toBeGreaterThan(3600_000 * 0.89);
    expect(wait).toBeLessThan(3600_000 * 1.11);

    const second = await fx.commit({ 'a.txt': '2\n' });
    const revision = next(poller, 'revision');
    // As a webhook may spell it: other scheme, credentials, no `.git`, trailing slash.
    const webhookUrl = `${server.url.replace('http://', 'https://bot:pw@')}/app/`;
    expect(await poller.refresh(webhookUrl)).toBe(1);
    expect(await revision).toEqual({ repository: id, commit: second, previous: first });
    expect((await poller.repository(id)!.tree(second).read('a.txt'))?.toString()).toBe('2\n');
    expect(await poller.refresh('https://example.invalid/other.git')).toBe(0);
    // As WebhookEvent.repoUrls carries it: already normalized (host/path); the receivers hand these to refresh.
    const third = await fx.commit({ 'a.txt': '3\n' });
    const again = next(poller, 'revision');
    expect(await poller.refresh(normalizeUrl(server.url + '/app.git'))).toBe(1);
    expect(await again).toEqual({ repository: id, commit: third, previous: second });
  });

  it('coalesces refreshes that arrive while a check runs into one follow-up check', async () => {
    await fx.commit({ 'a.txt': '1\n' });
    server = await startGitHttpServer({ root: fx.root });
    poller = new SourcePoller({ stateDir: fx.stateDir });
    const url = `${server.url}/app.git`;
    poller.add(spec(url));
    // The first check is running now; five webhooks arrive meanwhile.
    const counts = await Promise.all([1, 2, 3, 4, 5].map(() => poller!.refresh(url)));
    expect(counts).toEqual([1, 1, 1, 1, 1]);
    expect(server.count('ls-refs')).toBe(2);
    expect(server.count('fetch')).toBe(1);
  });

  it('polls with ls-remote only while nothing changes', async () => {
    await fx.commit({ 'a.txt': '1\n' });
    server = await startGitHttpServer({ root: fx.root });
    poller = new SourcePoller({ stateDir: fx.stateDir });
    const url = `${server.url}/app.git`;
    const id = repoId(url);
    poller.add(spec(url, 0.1));
    await next(poller, 'revision');
    const checked = server.count('ls-refs');
    while (server.count('ls-refs') < checked + 3) await new Promise((r) => setTimeout(r, 50));
    expect(server.count('fetch')).toBe(1);
    expect(poller.status(id)!.failures).toBe(0);
  });

  it('backs off from an unreachable remote, reports why, and keeps the last good commit', async () => {
    const first = await fx.commit({ 'a.txt': '1\n' });
    server = await startGitHttpServer({ root: fx.root });
    poller = new SourcePoller({ stateDir: fx.stateDir, minBackoffMs: 200, maxBackoffMs: 800 });
    const url = `${server.url}/app.git`;
    const id = repoId(url);
    const initial = next(poller, 'revision');
    poller.add(spec(url));
    await initial;

    await server.close();
    server = undefined;
    const waits: number[] = [];
    for (let failures = 1; failures <= 4; failures++) {
      const failed = next(poller, 'error');
      if (failures === 1) void poller.refresh(id);
      const event = await failed;
      expect(event.repository).toBe(id);
      expect(event.error.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/app\.git/);
      const status = poller.status(id)!;
      expect(status).toMatchObject({ lastCommit: first, failures, errorCode: 'UNREACHABLE' });
      expect(status.error).toMatch(/cannot reach/);
      waits.push(status.nextCheckAt!.getTime() - status.lastCheck!.getTime());
    }
    // 200, 400, 800, 800 ms (±10%): doubling, capped.
    expect(waits[1]).toBeGreaterThan(waits[0]);
    expect(waits[2]).toBeGreaterThan(waits[1]);
    expect(waits[3]).toBeLessThan(800 * 1.11);

    // A repository that was never reachable has an error and no commit.
    const port = await closedPort();
    const deadUrl = `http://127.0.0.1:${port}/dead.git`;
    const deadErr = next(poller, 'error', (e) => e.repository === repoId(deadUrl));
    poller.add(spec(deadUrl));
    await deadErr;
    expect(poller.status(repoId(deadUrl))).toMatchObject({ lastCommit: undefined, failures: 1, errorCode: 'UNREACHABLE' });
  });

  it('reports a deleted branch as an error and keeps the last good commit', async () => {
    const first = await fx.commit({ 'a.txt': '1\n' });
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:refs/heads/release');
    server = await startGitHttpServer({ root: fx.root });
    poller = new SourcePoller({ stateDir: fx.stateDir });
    const url = `${server.url}/app.git`;
    const id = repoId(url);
    const initial = next(poller, 'revision');
    poller.add(spec(url, 3600, { branch: 'release' }));
    await initial;
    await git(fx.work, 'push', '-q', 'origin', ':refs/heads/release');
    const failed = next(poller, 'error');
    await poller.refresh(id);
    await failed;
    expect(poller.status(id)).toMatchObject({ lastCommit: first, errorCode: 'REF_NOT_FOUND', error: expect.stringContaining('"release" does not exist') });
  });

  it('notices a commit in a local repository through its refs, reading committed files only', async () => {
    const first = await fx.commit({ 'app/deploy.yaml': 'v: 1\n' }, 'one', false);
    poller = new SourcePoller({ stateDir: fx.stateDir });
    const id = repoId(fx.work);
    const initial = next(poller, 'revision');
    const source = poller.add(spec(fx.work));
    expect(await initial).toEqual({ repository: id, commit: first, previous: undefined });
    // Nothing mirrored for a local path: it is read in place.
    expect(source.local).toBe(true);

    // Interval is an hour: only the watcher can see these.
    const moved = next(poller, 'revision');
    const second = await fx.commit({ 'app/deploy.yaml': 'v: 2\n' }, 'two', false);
    expect(await moved).toEqual({ repository: id, commit: second, previous: first });

    // Refs packed by `git gc`/`pack-refs` are followed too.
    await git(fx.work, 'pack-refs', '--all');
    const packed = next(poller, 'revision');
    const third = await fx.commit({ 'app/deploy.yaml': 'v: 3\n' }, 'three', false);
    expect(await packed).toMatchObject({ commit: third, previous: second });

    // The working tree is not what is read: an uncommitted edit is invisible.
    await writeFile(join(fx.work, 'app/deploy.yaml'), 'v: dirty\n');
    expect((await source.tree(third).read('app/deploy.yaml'))?.toString()).toBe('v: 3\n');
    expect((await source.commitInfo(third)).message).toBe('three');
  });
});
