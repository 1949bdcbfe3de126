import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { RepositorySource } from '../../controller/source/repository.js';
import { SourceError } from '../../controller/source/source-error.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';

let fx: GitFixture;
let server: GitHttpServer;

beforeEach(async () => {
  fx = await createGitFixture();
});
afterEach(async () => {
  await server?.close();
  await fx.cleanup();
});

function spec(url: string, extra: Partial<RepositorySpec> = {}): RepositorySpec {
  return { id: repoId(url), url, intervalSeconds: 30, ...extra };
}

describe('RepositorySource over smart HTTP', () => {
  it('mirrors a remote and reads files, directories and symlinks at a commit', async () => {
    const first = await fx.commit({
      'baton.yaml': 'apps: []\n',
      'apps/web/deploy.yaml': 'kind: Deployment\n',
      'apps/web/values.yaml': 'replicas: 2\n',
      'apps/link.yaml': { symlink: 'web/deploy.yaml' },
    });
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`), { stateDir: fx.stateDir });

    expect(await source.check()).toEqual({ commit: first, moved: true });
    expect(await source.fetch()).toBe(first);
    expect(await source.check()).toEqual({ commit: first, moved: false });

    const tree = source.tree(first);
    expect(await tree.list('')).toEqual([
      { name: 'apps', type: 'dir' },
      { name: 'baton.yaml', type: 'file' },
    ]);
    expect(await tree.list('apps')).toEqual([
      { name: 'link.yaml', type: 'symlink' },
      { name: 'web', type: 'dir' },
    ]);
    expect((await tree.read('apps/web/values.yaml'))?.toString()).toBe('replicas: 2\n');
    expect(await tree.readLink('apps/link.yaml')).toBe('web/deploy.yaml');
    // Never followed by the tree itself: the renderer decides whether a link stays inside.
    expect(await tree.read('apps/link.yaml')).toBeUndefined();
    expect(await tree.read('apps/web')).toBeUndefined();
    expect(await tree.list('apps/web/values.yaml')).toBeUndefined();
    expect(await tree.read('missing.yaml')).toBeUndefined();
    await expect(tree.read('../etc/passwd')).rejects.toThrow(/\.\./);

    // A later commit does not change what the old commit's tree shows.
    const second = await fx.commit({ 'apps/web/values.yaml': 'replicas: 3\n' });
    expect(await source.check()).toEqual({ commit: second, moved: true });
    expect(await source.fetch()).toBe(second);
    expect((await source.tree(second).read('apps/web/values.yaml'))?.toString()).toBe('replicas: 3\n');
    expect((await tree.read('apps/web/values.yaml'))?.toString()).toBe('replicas: 2\n');

    const info = await source.commitInfo(second);
    expect(info).toMatchObject({ sha: second, message: 'change 2', author: 'Baton Test <test@baton.invalid>' });
    expect(info.time).toBeInstanceOf(Date);
  });

  it('checks with ls-remote only, and fetches only when the branch moved', async () => {
    await fx.commit({ 'a.txt': 'one\n' });
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`, { branch: 'main' }), { stateDir: fx.stateDir });
    await source.fetch();
    const fetchesAfterClone = server.count('fetch');
    expect(fetchesAfterClone).toBe(1);

    // Each steady check is one small request: a protocol v2 ls-refs for the branch.
    const before = server.requests;
    for (let i = 0; i < 3; i++) expect((await source.check()).moved).toBe(false);
    expect(server.log.slice(before).map((r) => r.kind)).toEqual(['ls-refs', 'ls-refs', 'ls-refs']);
    expect(server.count('fetch')).toBe(fetchesAfterClone);

    const next = await fx.commit({ 'a.txt': 'two\n' });
    const check = await source.check();
    expect(check).toEqual({ commit: next, moved: true });
    expect(await source.fetch()).toBe(next);
    expect(server.count('fetch')).toBe(fetchesAfterClone + 1);
    // A new source over the same state dir finds the mirror up to date.
    const again = new RepositorySource(spec(`${server.url}/app.git`, { branch: 'main' }), { stateDir: fx.stateDir });
    expect(await again.check()).toEqual({ commit: next, moved: false });
  });

  it('starts a mirror over as one pack once fetches have piled up packs', async () => {
    await fx.commit({ 'a.txt': '0\n' });
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`), { stateDir: fx.stateDir, maxPacks: 3 });
    const mirrorPacks = async () => (await readdir(join(fx.stateDir, 'git', `${source.id}.git`, 'objects', 'pack'))).filter((f) => f.endsWith('.pack')).length;
    await source.fetch();
    const seen: number[] = [];
    let head = '';
    for (let i = 1; i <= 4; i++) {
      head = await fx.commit({ 'a.txt': `${i}\n`, [`f${i}.txt`]: 'x\n' });
      await source.check();
      expect(await source.fetch()).toBe(head);
      seen.push(await mirrorPacks());
    }
    expect(seen).toEqual([2, 3, 1, 2]);
    expect((await source.tree(head).read('a.txt'))?.toString()).toBe('4\n');
    expect((await source.tree(head).read('f1.txt'))?.toString()).toBe('x\n');
  });

  it('follows a force-pushed branch', async () => {
    const base = await fx.commit({ 'a.txt': 'base\n' });
    const doomed = await fx.commit({ 'a.txt': 'doomed\n' });
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`), { stateDir: fx.stateDir });
    expect(await source.fetch()).toBe(doomed);

    await git(fx.work, 'reset', '-q', '--hard', base);
    const rewritten = await fx.commit({ 'a.txt': 'rewritten\n' });
    expect(await source.check()).toEqual({ commit: rewritten, moved: true });
    expect(await source.fetch()).toBe(rewritten);
    expect((await source.tree(rewritten).read('a.txt'))?.toString()).toBe('rewritten\n');

    // Forced back to a commit the mirror already holds: followed without a download.
    const fetches = server.count('fetch');
    await git(fx.work, 'push', '-q', '-f', 'origin', `${doomed}:refs/heads/main`);
    expect(await source.check()).toEqual({ commit: doomed, moved: true });
    expect(await source.fetch()).toBe(doomed);
    expect(server.count('fetch')).toBe(fetches);
  });

  it('reports a deleted branch as REF_NOT_FOUND', async () => {
    await fx.commit({ 'a.txt': 'x\n' });
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:refs/heads/feature');
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`, { branch: 'feature' }), { stateDir: fx.stateDir });
    await source.fetch();
    await git(fx.work, 'push', '-q', 'origin', ':refs/heads/feature');
    const err = await source.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'REF_NOT_FOUND', message: expect.stringContaining('branch "feature" does not exist') });
  });

  it('authenticates with a token from the environment or a file, and says when it is wrong or missing', async () => {
    const head = await fx.commit({ 'a.txt': 'secret\n' });
    server = await startGitHttpServer({ root: fx.root, token: 's3cret-token' });
    const url = `${server.url}/app.git`;

    const good = new RepositorySource(spec(url), { stateDir: fx.stateDir, env: { BATON_GIT_TOKEN: 's3cret-token' } });
    expect(await good.fetch()).toBe(head);
    expect((await good.tree(head).read('a.txt'))?.toString()).toBe('secret\n');
    // After the first challenge the token goes up front: a check costs no extra 401.
    const denied = server.count('denied');
    await good.check();
    expect(server.count('denied')).toBe(denied);

    const tokenFile = join(fx.dir, 'token');
    await writeFile(tokenFile, 's3cret-token\n');
    const fromFile = new RepositorySource(spec(url, { tokenFile, tokenEnv: 'OTHER' }), { stateDir: join(fx.dir, 's2'), env: { OTHER: 'wrong' } });
    expect((await fromFile.check()).commit).toBe(head);

    const wrong = new RepositorySource(spec(url, { tokenEnv: 'MY_TOKEN' }), { stateDir: join(fx.dir, 's3'), env: { MY_TOKEN: 'not-it' } });
    const wrongErr = (await wrong.check().catch((e: unknown) => e)) as SourceError;
    expect(wrongErr).toMatchObject({ code: 'AUTH_FAILED' });
    expect(wrongErr.message).toContain('env MY_TOKEN');
    expect(wrongErr.message).not.toContain('not-it');

    const none = new RepositorySource(spec(url), { stateDir: join(fx.dir, 's4'), env: {} });
    const noneErr = (await none.check().catch((e: unknown) => e)) as SourceError;
    expect(noneErr).toMatchObject({ code: 'AUTH_REQUIRED', message: expect.stringContaining('BATON_GIT_TOKEN') });
  });

  it('gives a tree id that changes only for the path a commit touched', async () => {
    const first = await fx.commit({ 'apps/a/x.yaml': 'a: 1\n', 'apps/b/x.yaml': 'b: 1\n' });
    const second = await fx.commit({ 'apps/b/x.yaml': 'b: 2\n' });
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`), { stateDir: fx.stateDir });
    await source.fetch();
    await source.resolveRef(first);

    expect(await source.treeOid(second, 'apps/a')).toBe(await source.treeOid(first, 'apps/a'));
    expect(await source.treeOid(second, 'apps/b')).not.toBe(await source.treeOid(first, 'apps/b'));
    expect(await source.treeOid(second, 'apps/b/x.yaml')).toBe(await git(fx.work, 'rev-parse', 'HEAD:apps/b/x.yaml'));
    expect(await source.treeOid(second, '')).toBe(await git(fx.work, 'rev-parse', 'HEAD^{tree}'));
    expect(await source.treeOid(second, 'apps/c')).toBeUndefined();
  });

  it('resolves pull and merge request refs, tags, branches and commit ids, fetching what is missing', async () => {
    const main = await fx.commit({ 'a.txt': 'main\n' });
    await git(fx.work, 'tag', '-a', 'v1.0.0', '-m', 'release');
    await git(fx.work, 'push', '-q', 'origin', 'v1.0.0');
    await git(fx.work, 'checkout', '-q', '-b', 'feature');
    const pr = await fx.commit({ 'a.txt': 'pr 7\n' }, 'pr', false);
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:refs/pull/7/head');
    const mr = await fx.commit({ 'a.txt': 'mr 3\n' }, 'mr', false);
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:refs/merge-requests/3/head');
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:refs/heads/feature');
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`), { stateDir: fx.stateDir });
    expect(await source.fetch()).toBe(main);

    expect(await source.resolveRef('refs/pull/7/head')).toBe(pr);
    expect((await source.tree(pr).read('a.txt'))?.toString()).toBe('pr 7\n');
    expect(await source.resolveRef('refs/merge-requests/3/head')).toBe(mr);
    expect(await source.resolveRef('v1.0.0')).toBe(main);
    expect(await source.resolveRef('feature')).toBe(mr);
    expect(await source.resolveRef(main)).toBe(main);
    expect(await source.resolveRef(main.slice(0, 10))).toBe(main);

    // The request's head moves: resolving again sees the new commit.
    const pr2 = await fx.commit({ 'a.txt': 'pr 7 v2\n' }, 'pr2', false);
    await git(fx.work, 'push', '-q', '-f', 'origin', 'HEAD:refs/pull/7/head');
    expect(await source.resolveRef('refs/pull/7/head')).toBe(pr2);

    await expect(source.resolveRef('refs/pull/99/head')).rejects.toMatchObject({ code: 'REF_NOT_FOUND' });
    await expect(source.resolveRef('a..b')).rejects.toMatchObject({ code: 'INVALID_SPEC' });
  });

  it('leaves submodules out of listings and explains when a path enters one', async () => {
    const head = await fx.commit({ 'a.txt': 'x\n' });
    await git(fx.work, 'update-index', '--add', '--cacheinfo', `160000,${head},vendor/lib`);
    await git(fx.work, 'commit', '-q', '-m', 'submodule');
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:main');
    server = await startGitHttpServer({ root: fx.root });
    const source = new RepositorySource(spec(`${server.url}/app.git`), { stateDir: fx.stateDir });
    const commit = await source.fetch();
    const tree = source.tree(commit);
    expect(await tree.list('vendor')).toEqual([]);
    await expect(tree.list('vendor/lib')).rejects.toMatchObject({ code: 'SUBMODULE', message: expect.stringContaining('submodule') });
    await expect(tree.read('vendor/lib/x.yaml')).rejects.toMatchObject({ code: 'SUBMODULE' });
  });
});
