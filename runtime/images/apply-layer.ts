import { lchownSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UnpackSync, type ReadEntry } from 'tar';
import { decompressLayer } from './decompress-layer.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const skippedTypes = new Set(['CharacterDevice', 'BlockDevice', 'FIFO']);

/** `root/rel` when no directory on the way is a symlink (so a removal cannot leave the rootfs); else undefined. */
function insideRoot(root: string, rel: string): string | undefined {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    try {
      if (!lstatSync(dir).isDirectory()) return undefined;
    } catch {
      return undefined;
    }
  }
  return parts.length ? join(dir, parts[parts.length - 1]) : undefined;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A symlink exactly as the layer has it: node-tar would strip the leading
 * `/` of an absolute target (`/bin/sh -> /bin/busybox` becoming
 * `bin/busybox`, resolved beside the link), which breaks most real images.
 * The target is only ever resolved inside the container's root; the link
 * itself is made only where no directory on the way is a symlink.
 */
function writeSymlink(root: string, rel: string, e: ReadEntry, written: Set<string>): void {
  const parts = rel.split('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    try {
      if (!lstatSync(dir).isDirectory()) return;
    } catch {
      mkdirSync(dir, { mode: 0o755 });
    }
  }
  const abs = join(dir, parts[parts.length - 1]);
  if (exists(abs)) rmSync(abs, { recursive: true, force: true });
  symlinkSync(e.linkpath!, abs);
  if (typeof e.uid === 'number' && typeof e.gid === 'number') lchownSync(abs, e.uid, e.gid);
  for (let p = rel; p !== '.' && !written.has(p); p = posix.dirname(p)) written.add(p);
}

/** containerd's opaque rule: drop what lower layers put under `dir`, keep what this layer wrote. */
function clearOpaque(root: string, dir: string, written: Set<string>): void {
  const abs = dir === '.' ? root : insideRoot(root, dir);
  if (!abs || !exists(abs) || !lstatSync(abs).isDirectory()) return;
  for (const name of readdirSync(abs)) {
    const rel = dir === '.' ? name : `${dir}/${name}`;
    if (!written.has(rel)) rmSync(join(abs, name), { recursive: true, force: true });
    else if (lstatSync(join(abs, name)).isDirectory()) clearOpaque(root, rel, written);
  }
}

/**
 * Unpacks one layer over `root`, applying OCI whiteouts to what lower layers
 * left. Entries are applied one at a time, in archive order (node-tar's sync
 * unpacker fed chunk by chunk), since a whiteout must not race the writes
 * around it. node-tar refuses absolute paths, `..` and writes through
 * symlinks; removals here check the same.
 */
export async function applyLayer(root: string, source: Readable): Promise<string[]> {
  const written = new Set<string>();
  const warnings: string[] = [];
  const filter = (path: string, entry: ReadEntry | unknown): boolean => {
    const rel = posix.normalize(path).replace(/^\/+/, '').replace(/\/+$/, '') || '.';
    if (rel === '..' || rel.startsWith('../')) return false;
    const e = entry as ReadEntry;
    if (skippedTypes.has(e.type)) return false;
    const base = posix.basename(rel);
    const dir = posix.dirname(rel);
    if (base === OPAQUE) {
      clearOpaque(root, dir, written);
      return false;
    }
    if (base.startsWith(WHITEOUT)) {
      const target = insideRoot(root, posix.join(dir, base.slice(WHITEOUT.length)));
      if (target) rmSync(target, { recursive: true, force: true });
      return false;
    }
    if (e.type === 'SymbolicLink' && e.linkpath !== undefined) {
      writeSymlink(root, rel, e, written);
      return false;
    }
    if (e.type === 'Link' && e.linkpath) {
      const link = posix.normalize(e.linkpath).replace(/^\/+/, '');
      if (link === '..' || link.startsWith('../')) return false;
    }
    for (let p = rel; p !== '.' && !written.has(p); p = posix.dirname(p)) written.add(p);
    if (e.type !== 'Directory') {
      // An upper entry replaces the lower one whole: a directory with all it held, and a file
      // by a new inode, so a hardlinked twin in a lower layer keeps its content and mode.
      const abs = insideRoot(root, rel);
      if (abs && exists(abs)) rmSync(abs, { recursive: true, force: true });
    }
    return true;
  };
  const unpack = new UnpackSync({
    cwd: root,
    filter,
    chmod: true,
    processUmask: 0,
    onwarn: (code: string, message: string | Error) => {
      warnings.push(`${code}: ${message instanceof Error ? message.message : message}`);
    },
  });
  let failure: Error | undefined;
  unpack.on('error', (err: Error) => (failure ??= err));
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        unpack.write(chunk);
      } catch (err) {
        failure ??= err as Error;
      }
      cb(failure);
    },
    final(cb) {
      try {
        unpack.end();
      } catch (err) {
        failure ??= err as Error;
      }
      cb(failure);
    },
  });
  await pipeline(await decompressLayer(source), sink);
  return warnings;
}
