import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { GitObjects } from '../../controller/source/git-objects.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { RepositorySource } from '../../controller/source/repository.js';
import { renderManifests } from '../../renderer/index.js';
import { git } from '../support/git-http-server.js';
import { createGitFixture, type GitFixture } from './git-fixture.js';

let fx: GitFixture;

beforeEach(async () => {
  fx = await createGitFixture();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fx.cleanup();
});

const spec = (url: string): RepositorySpec => ({ id: repoId(url), url, intervalSeconds: 30 });

/** Text that compresses well and, changed a little, packs as a delta of its former self. */
function lines(n: number, tag: string): string {
  return Array.from({ length: n }, (_, i) => `  key${i}: value-${tag}-${i % 97}\n`).join('');
}

describe('Git blob sizes before inflating', () => {
  it('reads the size of loose, packed and deltified blobs from their headers, as git cat-file -s says', async () => {
    const files = { 'small.yaml': 'a: 1\n', 'empty.yaml': '', 'random.bin': randomBytes(300_000).toString('base64'), 'big.yaml': `data:\n${lines(60_000, 'x')}` };
    await fx.commit(files, 'one');
    await fx.commit({ 'big.yaml': `data:\n${lines(60_000, 'x')}  extra: 1\n` }, 'two');
    const paths = Object.keys(files);
    const expectSizes = async (gitdir: string, commit: string) => {
      const source = new RepositorySource(spec(gitdir), { stateDir: fx.stateDir });
      await source.fetch();
      const tree = source.tree(commit);
      for (const path of paths) expect(await tree.size(path), path).toBe(Number(await git(fx.bare, 'cat-file', '-s', `${commit}:${path}`)));
      expect(await tree.size('nope.yaml')).toBeUndefined();
    };
    const head = await git(fx.bare, 'rev-parse', 'HEAD');
    const first = await git(fx.bare, 'rev-parse', 'HEAD~1');
    await expectSizes(fx.bare, head);
    // Packed, with deltas (git makes the older big.yaml a delta of the newer one).
    await git(fx.bare, 'gc', '-q', '--aggressive');
    const pack = (await readdir(join(fx.bare, 'objects/pack'))).find((n) => n.endsWith('.idx'))!;
    const verify = await git(fx.bare, 'verify-pack', '-v', join(fx.bare, 'objects/pack', pack));
    // `<oid> blob <size> <size-in-pack> <offset> <depth> <base>`: at least one blob is stored as a delta.
    expect(verify.split('\n').some((l) => /^[0-9a-f]{40} blob +\d+ \d+ \d+ \d+ [0-9a-f]{40}$/.test(l))).toBe(true);
    await expectSizes(fx.bare, head);
    await expectSizes(fx.bare, first);
  });

  it('reads a small loose blob whole while taking its size, so reading it opens nothing more', async () => {
    const head = await fx.commit({ 'small.yaml': 'a: 1\n', 'big.yaml': `data:\n${lines(60_000, 'z')}` });
    const source = new RepositorySource(spec(fx.bare), { stateDir: fx.stateDir });
    await source.fetch();
    const tree = source.tree(head);
    const loose = async (path: string) => {
      const oid = await git(fx.bare, 'rev-parse', `${head}:${path}`);
      return join(fx.bare, 'objects', oid.slice(0, 2), oid.slice(2));
    };
    expect(await tree.size('small.yaml')).toBe(5);
    expect(await tree.size('big.yaml')).toBe(`data:\n${lines(60_000, 'z')}`.length);
    // Gone from disk after its size was read: only the small one is still readable.
    await rm(await loose('small.yaml'));
    await rm(await loose('big.yaml'));
    expect((await tree.read('small.yaml'))?.toString()).toBe('a: 1\n');
    await expect(tree.read('big.yaml')).rejects.toThrow(/not in/);
  });

  it('refuses a file over the limit before reading its blob', async () => {
    const big = `data:\n${lines(400_000, 'y')}`;
    expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
    const head = await fx.commit({ 'app/huge.yaml': big, 'app/ok.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n' });
    await git(fx.bare, 'gc', '-q');
    const source = new RepositorySource(spec(fx.bare), { stateDir: fx.stateDir });
    await source.fetch();
    const readBlob = vi.spyOn(GitObjects.prototype, 'readBlob');
    const r = await renderManifests({ tree: source.tree(head), path: 'app', namespace: 'shop' });
    expect(r.errors.map((e) => e.format())).toEqual([expect.stringMatching(/^app\/huge\.yaml:1:1: file is .*, over the .* limit$/)]);
    // Only the small file was inflated.
    expect(readBlob).toHaveBeenCalledTimes(1);
  });
});
