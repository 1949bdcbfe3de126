import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../runtime/images/apply-layer.js';

interface Entry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice';
  body?: string;
  linkpath?: string;
  mode?: number;
  uid?: number;
}

/** Writes a tar by hand so tests can hold entries no sane tool would write (`../x`, `/etc/x`). */
function tarOf(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const type = e.type ?? 'File';
    const h = new Header({
      path: e.path,
      type,
      mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.uid ?? 0,
      size: type === 'File' ? body.length : 0,
      mtime: new Date(0),
      linkpath: e.linkpath,
    });
    const block = Buffer.alloc(512);
    h.encode(block);
    blocks.push(block);
    if (type === 'File') blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const dirs: string[] = [];
function rootDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'baton-layer-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function apply(root: string, entries: Entry[], gzip = false): Promise<void> {
  const tar = tarOf(entries);
  await applyLayer(root, Readable.from([gzip ? gzipSync(tar) : tar]));
}

describe('applyLayer: layers flatten in order with OCI whiteouts', () => {
  it('a whiteout deletes the lower file and is not itself written; an upper file replaces the lower one', async () => {
    const root = rootDir();
    await apply(root, [
      { path: 'etc/', type: 'Directory' },
      { path: 'etc/a', body: 'lower a' },
      { path: 'etc/b', body: 'lower b' },
      { path: 'etc/sub/', type: 'Directory' },
      { path: 'etc/sub/deep', body: 'x' },
    ]);
    await apply(root, [
      { path: 'etc/.wh.a' },
      { path: 'etc/.wh.sub' },
      { path: 'etc/b', body: 'upper b', mode: 0o600 },
    ], true);
    expect(existsSync(join(root, 'etc/a'))).toBe(false);
    expect(existsSync(join(root, 'etc/.wh.a'))).toBe(false);
    expect(existsSync(join(root, 'etc/sub'))).toBe(false);
    expect(readFileSync(join(root, 'etc/b'), 'utf8')).toBe('upper b');
    expect(statSync(join(root, 'etc/b')).mode & 0o7777).toBe(0o600);
  });

  it('an opaque directory hides everything lower layers put in it but keeps what its own layer wrote', async () => {
    const root = rootDir();
    await apply(root, [
      { path: 'data/', type: 'Directory' },
      { path: 'data/old', body: 'old' },
      { path: 'data/keep/', type: 'Directory' },
      { path: 'data/keep/old-inner', body: 'old' },
      { path: 'other', body: 'untouched' },
    ]);
    await apply(root, [
      { path: 'data/', type: 'Directory' },
      { path: 'data/keep/new', body: 'new' },
      { path: 'data/.wh..wh..opq' },
      { path: 'data/after', body: 'after' },
    ]);
    expect(existsSync(join(root, 'data/old'))).toBe(false);
    expect(existsSync(join(root, 'data/keep/old-inner'))).toBe(false);
    expect(readFileSync(join(root, 'data/keep/new'), 'utf8')).toBe('new');
    expect(readFileSync(join(root, 'data/after'), 'utf8')).toBe('after');
    expect(existsSync(join(root, 'data/.wh..wh..opq'))).toBe(false);
    expect(readFileSync(join(root, 'other'), 'utf8')).toBe('untouched');
  });

  it('keeps symlinks, hardlinks and owners; skips device nodes', async () => {
    const root = rootDir();
    await apply(root, [
      { path: 'bin/', type: 'Directory' },
      { path: 'bin/busybox', body: '#!', mode: 0o755, uid: 1234 },
      { path: 'bin/sh', type: 'SymbolicLink', linkpath: 'busybox' },
      { path: 'bin/ls', type: 'Link', linkpath: 'bin/busybox' },
      { path: 'dev/', type: 'Directory' },
      { path: 'dev/null', type: 'CharacterDevice' },
    ]);
    expect(readlinkSync(join(root, 'bin/sh'))).toBe('busybox');
    expect(statSync(join(root, 'bin/ls')).ino).toBe(statSync(join(root, 'bin/busybox')).ino);
    expect(statSync(join(root, 'bin/busybox')).uid).toBe(process.getuid?.() === 0 ? 1234 : process.getuid?.());
    expect(existsSync(join(root, 'dev/null'))).toBe(false);
  });

  it('keeps absolute symlink targets as the layer has them (alpine\'s /bin/sh -> /bin/busybox)', async () => {
    const root = rootDir();
    await apply(root, [
      { path: 'bin/', type: 'Directory' },
      { path: 'bin/busybox', body: '#!', mode: 0o755 },
      { path: 'bin/sh', type: 'SymbolicLink', linkpath: '/bin/busybox' },
      { path: 'etc/alternatives/awk', type: 'SymbolicLink', linkpath: '/usr/bin/mawk' },
      { path: 'up', type: 'SymbolicLink', linkpath: '../../..' },
    ]);
    expect(readlinkSync(join(root, 'bin/sh'))).toBe('/bin/busybox');
    expect(readlinkSync(join(root, 'etc/alternatives/awk'))).toBe('/usr/bin/mawk');
    // Made as given; it is only ever resolved inside the container's own root.
    expect(readlinkSync(join(root, 'up'))).toBe('../../..');
  });

  it('never writes or deletes outside the rootfs', async () => {
    const parent = rootDir();
    const root = join(parent, 'rootfs');
    const outside = join(parent, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim'), 'safe');
    symlinkSync(outside, join(root, 'escape'));
    await apply(root, [
      { path: '../evil', body: 'x' },
      { path: '/abs-evil', body: 'x' },
      { path: 'escape/planted', body: 'x' },
      { path: 'escape/.wh.victim' },
      { path: 'link-out', type: 'Link', linkpath: '../outside/victim' },
    ]);
    expect(existsSync(join(parent, 'evil'))).toBe(false);
    expect(existsSync(join(outside, 'planted'))).toBe(false);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('safe');
    expect(existsSync(join(root, 'link-out'))).toBe(false);
    // An absolute entry lands inside the root, stripped of its slash.
    expect(readFileSync(join(root, 'abs-evil'), 'utf8')).toBe('x');
    expect(lstatSync(join(root, 'escape')).isSymbolicLink()).toBe(true);
    expect(dirname(root)).toBe(parent);
  });
});
