import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexPack } from '../../../../controller/source/pack/index-pack.js';
import { ObjectStore } from '../../../../controller/source/pack/object-store.js';
import { git, gitTestEnv } from '../../../support/git-http-server.js';

// The pack reader and indexer against packs real `git` made: every object must read as
// `git cat-file` shows it, and the .idx baton writes must be the one `git index-pack` writes.

const run = promisify(execFile);
let dir: string;
let repo: string;

/** Every object of `gitdir` as git sees it: id → type and content. */
async function allObjects(gitdir: string): Promise<Map<string, { type: string; content: Buffer }>> {
  const { stdout } = await run('git', ['cat-file', '--batch-all-objects', '--batch'], { cwd: gitdir, env: gitTestEnv, encoding: 'buffer', maxBuffer: 256 << 20 });
  const objects = new Map<string, { type: string; content: Buffer }>();
  for (let i = 0; i < stdout.length; ) {
    const nl = stdout.indexOf(0x0a, i);
    const [oid, type, size] = stdout.toString('latin1', i, nl).split(' ');
    const content = stdout.subarray(nl + 1, nl + 1 + Number(size));
    objects.set(oid, { type, content });
    i = nl + 1 + Number(size) + 1;
  }
  return objects;
}

/** Version `v` changes one more line than version `v - 1`: each is closest to the one before, so git chains the deltas. */
const lines = (v: number) => Array.from({ length: 2000 }, (_, i) => `line ${i}: ${i % 200 === 0 && i / 200 < v ? `changed in ${i / 200}` : 'same'} ${'x'.repeat(i % 40)}\n`).join('');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-pack-'));
  repo = join(dir, 'repo');
  await git(dir, 'init', '-q', '-b', 'main', repo);
  // One file changed a line at a time, so git stores most versions as deltas; a tag and nested trees too.
  for (let v = 0; v < 10; v++) {
    await mkdir(join(repo, 'apps', 'web'), { recursive: true });
    await writeFile(join(repo, 'apps', 'web', 'values.yaml'), lines(v));
    await writeFile(join(repo, 'small.txt'), `v${v}\n`);
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', `version ${v}`);
  }
  await git(repo, 'tag', '-a', 'v1', '-m', 'release one');
  await git(repo, 'gc', '-q', '--aggressive');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function onlyPack(gitdir: string): Promise<string> {
  const packs = (await readdir(join(gitdir, 'objects', 'pack'))).filter((n) => n.endsWith('.pack'));
  expect(packs).toHaveLength(1);
  return join(gitdir, 'objects', 'pack', packs[0]);
}

async function expectReadsAsGit(gitdir: string): Promise<void> {
  const expected = await allObjects(gitdir);
  expect(expected.size).toBeGreaterThan(20);
  const store = new ObjectStore(gitdir);
  for (const [oid, want] of expected) {
    const got = await store.read(oid);
    expect(got?.type, oid).toBe(want.type);
    expect(got!.content.equals(want.content), `${oid} (${want.type})`).toBe(true);
  }
  expect(await store.read('0'.repeat(40))).toBeUndefined();
}

describe('pack reader', () => {
  it('reads every object of a pack made by git gc --aggressive (OFS_DELTA chains) as git cat-file does', async () => {
    const verify = await git(repo, 'verify-pack', '-v', (await onlyPack(join(repo, '.git'))).replace(/\.pack$/, '.idx'));
    expect(verify).toMatch(/chain length = [2-9]/);
    await expectReadsAsGit(join(repo, '.git'));
  });

  it('reads REF_DELTA packs and 64-bit offsets', async () => {
    const bare = join(dir, 'refdelta.git');
    await git(dir, 'init', '-q', '--bare', bare);
    const list = await git(repo, 'rev-list', '--objects', '--all');
    // Without --delta-base-offset pack-objects names every delta base by id (REF_DELTA).
    await new Promise<void>((resolve, reject) => {
      const child = execFile('git', ['pack-objects', '-q', join(bare, 'objects', 'pack', 'pack')], { cwd: join(repo, '.git'), env: gitTestEnv }, (err) => (err ? reject(err) : resolve()));
      child.stdin!.end(`${list}\n`);
    });
    const pack = await onlyPack(bare);
    // Rewritten with every offset over 0x40 in the 64-bit table.
    await rm(pack.replace(/\.pack$/, '.idx'));
    await git(bare, 'index-pack', '--index-version=2,0x40', pack);
    await expectReadsAsGit(bare);
  });
});

describe('pack indexer', () => {
  it('writes the .idx git index-pack writes, for OFS_DELTA and REF_DELTA packs', async () => {
    for (const gitdir of [join(repo, '.git'), join(dir, 'refdelta.git')]) {
      const pack = await onlyPack(gitdir);
      const copy = join(dir, 'copy.pack');
      await copyFile(pack, copy);
      const indexed = await indexPack(copy);
      await git(dir, 'index-pack', '-o', join(dir, 'git.idx'), copy);
      expect(indexed.idx.equals(await readFile(join(dir, 'git.idx')))).toBe(true);
      expect(`pack-${indexed.checksum}.pack`).toBe(pack.split('/').at(-1));
    }
  });

  it('refuses a pack whose bytes were changed', async () => {
    const copy = join(dir, 'bad.pack');
    const bytes = await readFile(await onlyPack(join(repo, '.git')));
    bytes[bytes.length - 30] ^= 0xff;
    await writeFile(copy, bytes);
    await expect(indexPack(copy)).rejects.toThrow(/bad\.pack/);
  });

  it('indexes a thin pack from bases in the repository\'s other pack, which then still reads as git does', async () => {
    const gitdir = join(dir, 'thin.git');
    await git(dir, 'clone', '-q', '--bare', '--no-local', repo, gitdir);
    await git(gitdir, 'repack', '-q', '-a', '-d');
    // What HEAD adds over HEAD~1, its deltas based on objects only HEAD~1 has (REF_DELTA outside the pack).
    const thin = join(gitdir, 'objects', 'pack', 'tmp-thin.pack');
    // Made in the original repository: in the clone's repack git happens to store that blob whole.
    const list = await git(repo, 'rev-list', '--objects', 'HEAD', '^HEAD~1');
    await new Promise<void>((resolve, reject) => {
      const child = execFile('git', ['pack-objects', '-q', '--thin', '--no-reuse-object', '--stdout', '--revs'], { cwd: join(repo, '.git'), env: gitTestEnv, encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout) =>
        err ? reject(err) : writeFile(thin, stdout).then(resolve, reject),
      );
      child.stdin!.end('HEAD\n^HEAD~1\n');
    });
    const store = new ObjectStore(gitdir);
    await expect(indexPack(thin)).rejects.toThrow(/no base/);
    const indexed = await indexPack(thin, (oid) => store.read(oid));
    expect(indexed.count).toBe(list.split('\n').length);
    const name = join(gitdir, 'objects', 'pack', `pack-${indexed.checksum}`);
    await writeFile(`${name}.idx`, indexed.idx);
    await copyFile(thin, `${name}.pack`);
    await rm(thin);
    await expectReadsAsGit(gitdir);
  });
});
