import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskTree, MemoryTree, RenderError, type FileTree } from '../../../renderer/index.js';
import { TreeReader } from '../../../renderer/tree/load-dir.js';
import { defaultLimits } from '../../../renderer/limits.js';

type Layout = Record<string, string | { symlink: string }>;

const layout: Layout = {
  'a.yaml': 'a',
  'dir/b.yaml': 'b',
  'dir/sub/c.yaml': 'c',
  'dir/link.yaml': { symlink: 'b.yaml' },
  'dir/uplink.yaml': { symlink: '../a.yaml' },
  'dir/dirlink': { symlink: 'sub' },
  'escape.yaml': { symlink: '../../etc/passwd' },
  'abs.yaml': { symlink: '/etc/passwd' },
};

let diskRoot: string;

async function diskTree(): Promise<FileTree> {
  for (const [p, v] of Object.entries(layout)) {
    const full = join(diskRoot, p);
    await mkdir(dirname(full), { recursive: true });
    if (typeof v === 'string') await writeFile(full, v);
    else await symlink(v.symlink, full);
  }
  return new DiskTree(diskRoot);
}

beforeAll(async () => {
  diskRoot = await mkdtemp(join(tmpdir(), 'baton-tree-'));
});
afterAll(async () => {
  await rm(diskRoot, { recursive: true, force: true });
});

// One suite, both implementations: the controller's Git tree must pass the same cases.
describe.each([
  ['MemoryTree', async () => new MemoryTree(layout)],
  ['DiskTree', diskTree],
])('%s', (_name, make) => {
  let tree: FileTree;
  beforeAll(async () => {
    tree = await make();
  });

  it('reads files and lists directories sorted, with entry types', async () => {
    expect((await tree.read('a.yaml'))?.toString()).toBe('a');
    expect((await tree.read('dir/sub/c.yaml'))?.toString()).toBe('c');
    expect(await tree.read('missing.yaml')).toBeUndefined();
    expect(await tree.read('dir')).toBeUndefined();
    expect(await tree.list('dir')).toEqual([
      { name: 'b.yaml', type: 'file' },
      { name: 'dirlink', type: 'symlink' },
      { name: 'link.yaml', type: 'symlink' },
      { name: 'sub', type: 'dir' },
      { name: 'uplink.yaml', type: 'symlink' },
    ]);
    expect(await tree.list('a.yaml')).toBeUndefined();
    expect(await tree.readLink('dir/link.yaml')).toBe('b.yaml');
  });

  it('refuses .. and absolute paths', async () => {
    await expect(tree.read('../x')).rejects.toThrow(/"\.\."/);
    await expect(tree.read('dir/../../x')).rejects.toBeInstanceOf(RenderError);
    await expect(tree.read('/etc/passwd')).rejects.toThrow(/absolute path/);
  });

  it('follows symlinks inside the tree and refuses those that leave it', async () => {
    const reader = new TreeReader(tree, '', defaultLimits);
    expect((await reader.readFile('dir/link.yaml'))?.toString()).toBe('b');
    expect((await reader.readFile('dir/uplink.yaml'))?.toString()).toBe('a');
    expect((await reader.readFile('dir/dirlink/c.yaml'))?.toString()).toBe('c');
    await expect(reader.readFile('escape.yaml')).rejects.toThrow(/symlink "escape.yaml" points to "..\/..\/etc\/passwd", outside the repository/);
    await expect(reader.readFile('abs.yaml')).rejects.toThrow(/outside the repository/);
  });

  it('confines reads to a subdirectory when asked', async () => {
    const reader = new TreeReader(tree, 'dir', defaultLimits);
    expect((await reader.readFile('dir/link.yaml'))?.toString()).toBe('b');
    await expect(reader.readFile('dir/uplink.yaml')).rejects.toThrow(/outside "dir"/);
  });

  it('loads a directory through links, collecting link errors', async () => {
    const errors: RenderError[] = [];
    const files = await new TreeReader(tree, '', defaultLimits).loadDir('', errors);
    expect([...files.keys()].sort()).toEqual(['a.yaml', 'dir/b.yaml', 'dir/dirlink/c.yaml', 'dir/link.yaml', 'dir/sub/c.yaml', 'dir/uplink.yaml']);
    expect(errors.map((e) => e.format()).sort()).toEqual([
      'abs.yaml:1:1: symlink "abs.yaml" points to "/etc/passwd", outside the repository; symlinks must stay inside it',
      'escape.yaml:1:1: symlink "escape.yaml" points to "../../etc/passwd", outside the repository; symlinks must stay inside it',
    ]);
  });
});
