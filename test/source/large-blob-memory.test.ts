import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { RepositorySource } from '../../controller/source/repository.js';
import { git, gitTestEnv } from '../support/git-http-server.js';

// Issue 16: a 300 MB binary committed next to the manifests must not enter baton's memory when
// baton fetches the repository and reads the manifests (the blob itself is never read).

const MB = 1024 * 1024;
let dir: string;
let head: string;
let server: ChildProcess | undefined;
let serverUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-bigblob-'));
  const work = join(dir, 'repo');
  await git(dir, 'init', '-q', '-b', 'main', work);
  await mkdir(join(work, 'app'), { recursive: true });
  await writeFile(join(work, 'app', 'deploy.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n');
  await writeFile(join(work, 'app', 'values.yaml'), 'replicas: 2\n');
  // Incompressible, so the pack holds all 300 MB; made by head, outside this process.
  const dd = spawn('sh', ['-c', `head -c ${300 * MB} /dev/urandom > ${join(work, 'video.bin')}`]);
  expect((await once(dd, 'exit'))[0]).toBe(0);
  // Level 0 zlib: the pack is as big as with the default, and made much faster.
  await git(work, '-c', 'core.compression=0', 'add', '-A');
  await git(work, 'commit', '-q', '-m', 'manifests and a video');
  await git(work, '-c', 'pack.compression=0', 'gc', '-q');
  head = await git(work, 'rev-parse', 'HEAD');

  server = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'serve-git.ts'), dir], { env: gitTestEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(server.stdout!, 'data')) as [Buffer];
  serverUrl = line.toString().trim();
}, 120_000);

afterAll(async () => {
  server?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

const spec = (url: string): RepositorySpec => ({ id: repoId(url), url, intervalSeconds: 30 });

/** Runs `work` while sampling this process's RSS; returns how far the peak rose over the RSS just before. */
async function rssRise(work: () => Promise<void>): Promise<number> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    await work();
  } finally {
    clearInterval(sample);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return peak - baseline;
}

async function readManifests(source: RepositorySource): Promise<void> {
  const tree = source.tree(head);
  expect(await tree.list('')).toEqual([
    { name: 'app', type: 'dir' },
    { name: 'video.bin', type: 'file' },
  ]);
  expect((await tree.read('app/values.yaml'))?.toString()).toBe('replicas: 2\n');
  expect((await tree.read('app/deploy.yaml'))?.toString()).toContain('kind: ConfigMap');
  expect(await tree.size('video.bin')).toBe(300 * MB);
  expect((await source.commitInfo(head)).message).toBe('manifests and a video');
}

describe('a repository with a 300 MB blob beside its manifests', () => {
  // First: memory a test freed stays in this process's heap and would hide the next one's rise.
  it('is read in place as a local path with RSS rising by less than 50 MB', async () => {
    const source = new RepositorySource(spec(join(dir, 'repo')), { stateDir: join(dir, 'state-local') });
    const rise = await rssRise(async () => {
      expect(await source.fetch()).toBe(head);
      await readManifests(source);
    });
    expect(rise, `RSS rose by ${(rise / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
  });

  it('is fetched over smart HTTP and its manifests read with RSS rising by less than 50 MB', async () => {
    const stateDir = join(dir, 'state');
    const source = new RepositorySource(spec(`${serverUrl}/repo/.git`), { stateDir });
    const rise = await rssRise(async () => {
      expect(await source.check()).toEqual({ commit: head, moved: true });
      expect(await source.fetch()).toBe(head);
      await readManifests(source);
    });
    expect(rise, `RSS rose by ${(rise / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);
    // The mirror holds the whole pack: git itself finds every object, the blob included.
    expect(await git(join(stateDir, 'git', `${source.id}.git`), 'cat-file', '-s', `${head}:video.bin`)).toBe(String(300 * MB));
  });
});
