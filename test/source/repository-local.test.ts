import { createServer, type Server, type Socket } from 'node:net';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { RepositorySource } from '../../controller/source/repository.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { git } from '../support/git-http-server.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';

let fx: GitFixture;

beforeEach(async () => {
  fx = await createGitFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

function spec(url: string, extra: Partial<RepositorySpec> = {}): RepositorySpec {
  return { id: repoId(url), url, intervalSeconds: 30, ...extra };
}

describe('RepositorySource over a local path', () => {
  it('reads a working repository in place, without a mirror, following HEAD or a branch', async () => {
    const first = await fx.commit({ 'a.txt': 'one\n', 'link': { symlink: 'a.txt' } }, 'one', false);
    const source = new RepositorySource(spec(fx.work), { stateDir: fx.stateDir });
    expect(await source.check()).toEqual({ commit: first, moved: true });
    expect(await source.fetch()).toBe(first);
    expect(await source.check()).toEqual({ commit: first, moved: false });
    expect(await source.tree(first).readLink('link')).toBe('a.txt');
    await expect(readdir(fx.stateDir)).rejects.toMatchObject({ code: 'ENOENT' });

    await git(fx.work, 'checkout', '-q', '-b', 'other');
    const other = await fx.commit({ 'a.txt': 'other\n' }, 'other', false);
    expect(await source.check()).toEqual({ commit: other, moved: true });
    const pinned = new RepositorySource(spec(fx.work, { branch: 'main' }), { stateDir: fx.stateDir });
    expect((await pinned.check()).commit).toBe(first);

    await git(fx.work, 'tag', '-a', 'v1', '-m', 'v1', first);
    expect(await source.resolveRef('v1')).toBe(first);
    expect(await source.resolveRef('main')).toBe(first);
    expect(await source.resolveRef('refs/heads/other')).toBe(other);
    expect(await source.resolveRef(other.slice(0, 8))).toBe(other);
    await expect(source.resolveRef('nope')).rejects.toMatchObject({ code: 'REF_NOT_FOUND' });
  });

  it('reads bare repositories and file:// URLs, and objects packed by git gc', async () => {
    const head = await fx.commit({ 'deep/er/file.yaml': 'x: 1\n' });
    await git(fx.bare, 'gc', '-q');
    for (const url of [fx.bare, `file://${fx.bare}`]) {
      const source = new RepositorySource(spec(url), { stateDir: fx.stateDir });
      expect(await source.fetch()).toBe(head);
      expect((await source.tree(head).read('deep/er/file.yaml'))?.toString()).toBe('x: 1\n');
    }
  });

  it('names the problem with a path that is not a repository, a relative path, or an ssh URL', async () => {
    const empty = join(fx.dir, 'empty');
    await mkdir(empty);
    const source = new RepositorySource(spec(empty), { stateDir: fx.stateDir });
    await expect(source.check()).rejects.toMatchObject({ code: 'NOT_A_REPOSITORY', message: expect.stringContaining(empty) });
    expect(() => new RepositorySource(spec('./repo'), { stateDir: fx.stateDir })).toThrow(/must be absolute/);
    expect(() => new RepositorySource(spec('git@github.com:acme/shop.git'), { stateDir: fx.stateDir })).toThrow(/use an http\(s\) URL/);
    const unborn = new RepositorySource(spec(fx.work), { stateDir: fx.stateDir });
    await expect(unborn.check()).rejects.toMatchObject({ code: 'REF_NOT_FOUND' });
    expect(() => new SourcePoller({ stateDir: fx.stateDir }).add(spec(fx.work, { intervalSeconds: 0 }))).toThrow(/intervalSeconds/);
  });
});

describe('RepositorySource against a remote that stops answering', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fails the check after the HTTP timeout instead of hanging', async () => {
    // Accepts connections and never answers.
    server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const source = new RepositorySource(spec(`http://127.0.0.1:${port}/app.git`), { stateDir: fx.stateDir, httpTimeoutMs: 300 });
    await expect(source.check()).rejects.toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('no answer') });
  });
});
