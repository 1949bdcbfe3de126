import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bindAt } from './bind-at.js';
import { ContainerConfigError } from './container-env.js';

const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

/** Files of a volume by path relative to it. */
export type VolumeFiles = Map<string, { content: Buffer; mode: number }>;

/**
 * The elements of a path inside a volume, refused as Kubernetes' atomic
 * writer refuses them (`reserved`: also names starting with `..`, which the
 * writer keeps for itself, and an empty path). Validation refuses these too, but objects stored
 * before it (or written past the API) reach the kubelet unchecked.
 */
export function pathElements(path: string, reserved = true): string[] {
  if (path.startsWith('/')) throw new ContainerConfigError(`invalid path: must be relative path: ${path}`);
  const items = path.split('/');
  if (items.includes('..')) throw new ContainerConfigError(`invalid path: must not contain '..': ${path}`);
  if (reserved && items[0].startsWith('..') && items[0].length > 2) throw new ContainerConfigError(`invalid path: must not start with '..': ${path}`);
  const parts = items.filter((p) => p !== '' && p !== '.');
  if (reserved && parts.length === 0) throw new ContainerConfigError(`invalid path: must not be empty: ${JSON.stringify(path)}`);
  return parts;
}

/** `name` inside the directory open as `fd`: the kernel resolves it from that directory, whatever its path now leads to. */
function inside(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Opens the directory holding `parts`' last element, one element at a time
 * and never through a symlink: a container that can write to the volume
 * cannot redirect the kubelet's writes outside it. Returns undefined when an
 * element is missing and `create` is false.
 */
function openParent(root: string, parts: string[], path: string, create: boolean): number | undefined {
  let fd = openSync(root, O_RDONLY | O_DIRECTORY);
  try {
    for (const part of parts.slice(0, -1)) {
      if (create) {
        try {
          mkdirSync(inside(fd, part), 0o755);
        } catch (err) {
          if (code(err) !== 'EEXIST') throw err;
        }
      }
      let next: number;
      try {
        next = openSync(inside(fd, part), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        if (code(err) === 'ENOENT' && !create) return undefined;
        if (code(err) === 'ELOOP' || code(err) === 'ENOTDIR') throw new ContainerConfigError(`invalid path: ${path}: "${part}" in the volume is not a directory (a symlink is never followed)`);
        throw err;
      }
      closeSync(fd);
      fd = next;
    }
    const opened = fd;
    fd = -1;
    return opened;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function unchanged(parent: number, name: string, content: Buffer, mode: number): boolean {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO a container left here must not hang the kubelet.
    fd = openSync(inside(parent, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd);
    return st.isFile() && (st.mode & 0o7777) === mode && st.size === content.length && readFileSync(fd).equals(content);
  } finally {
    closeSync(fd);
  }
}

/** Writes a fresh file beside the target and renames it over: a symlink in its place is replaced, never followed. */
function writeInside(parent: number, name: string, content: Buffer, mode: number): void {
  // Names starting with '..' are refused in item paths, so this one is the kubelet's own.
  const temp = `..${name}.tmp`;
  try {
    unlinkSync(inside(parent, temp));
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
  const fd = openSync(inside(parent, temp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    writeFileSync(fd, content);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
  renameSync(inside(parent, temp), inside(parent, name));
}

/**
 * What was last projected into directories that no container can write (every mount of the volume is read-only),
 * by directory: the same files again cost a comparison in memory, not a read of each file on every sync (a pod's
 * service account volume is synced with every status change of the pod). Only the kubelet changes such a volume.
 */
const projectedReadOnly = new Map<string, VolumeFiles>();

function sameFiles(a: VolumeFiles, b: VolumeFiles): boolean {
  if (a.size !== b.size) return false;
  for (const [path, file] of a) {
    const other = b.get(path);
    if (!other || other.mode !== file.mode || !other.content.equals(file.content)) return false;
  }
  return true;
}

/** Forgets what was projected below `podDir` (its directory is being removed). */
export function forgetProjections(podDir: string): void {
  for (const dir of projectedReadOnly.keys()) if (dir.startsWith(`${podDir}/`)) projectedReadOnly.delete(dir);
}

/**
 * Writes `files` into `dir` and removes files it projected before that are no
 * longer wanted. Only its own files are removed (listed in `dir.files`): a
 * mount point made inside the volume for a nested mount must stay, as
 * unlinking it would undo that mount in the pod. Nothing is ever written
 * outside `dir`: paths that leave it are refused and symlinks inside it are
 * not followed. `readOnly`: no container can write the volume, so files
 * unchanged since the last call are not looked at again.
 */
export function project(dir: string, files: VolumeFiles, readOnly = false): void {
  const last = projectedReadOnly.get(dir);
  if (readOnly && last && sameFiles(last, files)) return;
  projectedReadOnly.delete(dir);
  projectFiles(dir, files);
  if (readOnly) projectedReadOnly.set(dir, files);
}

function projectFiles(dir: string, files: VolumeFiles): void {
  const made = mkdirSync(dir, { recursive: true }) !== undefined;
  const wanted = [...files].map(([path, file]) => ({ path, parts: pathElements(path), ...file }));
  // Flat, distinct names only (a service account's token, ca.crt and namespace): nested ones keep the checks on the way.
  const names = wanted.map((w) => (w.parts.length === 1 ? w.parts[0] : undefined));
  if (made && names.every((n) => n !== undefined) && new Set(names).size === names.length) {
    firstProjection(dir, wanted);
    return;
  }
  const manifest = `${dir}.files`;
  let before: string[] = [];
  try {
    before = JSON.parse(readFileSync(manifest, 'utf8')) as string[];
  } catch {
    before = [];
  }
  for (const { path, parts, content, mode } of wanted) {
    const parent = openParent(dir, parts, path, true)!;
    try {
      const name = parts[parts.length - 1];
      if (!unchanged(parent, name, content, mode)) writeInside(parent, name, content, mode);
    } finally {
      closeSync(parent);
    }
  }
  for (const path of before) {
    if (files.has(path)) continue;
    let parts: string[];
    try {
      parts = pathElements(path);
    } catch {
      continue;
    }
    const parent = openParent(dir, parts, path, false);
    if (parent === undefined) continue;
    try {
      unlinkSync(inside(parent, parts[parts.length - 1]));
    } catch {
      // Already gone, or a directory a nested mount made: not ours to remove.
    } finally {
      closeSync(parent);
    }
  }
  const listed = [...files.keys()];
  if (listed.length !== before.length || listed.some((path, i) => path !== before[i])) writeFileSync(manifest, JSON.stringify(listed), { mode: 0o600 });
}

/**
 * Fills a directory made just now with files of distinct plain names:
 * nothing of a container has been in it, so they are written in place, with
 * no comparison, temporary file or open parent (a third of the system calls
 * of a pod's first sync, in a burst of 1,000 starts).
 */
function firstProjection(dir: string, wanted: Array<{ path: string; parts: string[]; content: Buffer; mode: number }>): void {
  for (const { parts, content, mode } of wanted) {
    const fd = openSync(join(dir, parts[0]), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      writeFileSync(fd, content);
      fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
  }
  if (wanted.length > 0) writeFileSync(`${dir}.files`, JSON.stringify(wanted.map((w) => w.path)), { mode: 0o600 });
}

/**
 * A subPath of a volume as a host path for a bind mount, created as a
 * directory when missing (as the kubelet does). Refuses paths that leave the
 * volume and symlinks on the way (stricter than Kubernetes, which follows
 * those that stay inside). What was checked is bind-mounted at `staging` (a
 * path of the pod's own directory, beyond the pod's reach) through the open
 * descriptor, as the kubelet has done since CVE-2017-1002101: a container that
 * swaps a directory of the volume for a symlink afterwards changes nothing.
 */
export async function subPathInside(root: string, subPath: string, staging: string): Promise<string> {
  const parts = pathElements(subPath, false);
  if (parts.length === 0) return root;
  const parent = openParent(root, parts, subPath, true)!;
  let fd: number;
  try {
    const name = parts[parts.length - 1];
    try {
      mkdirSync(inside(parent, name), 0o750);
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
    }
    try {
      fd = openSync(inside(parent, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (err) {
      if (code(err) === 'ELOOP') throw new ContainerConfigError(`invalid subPath: ${subPath} is a symlink in the volume`);
      throw err;
    }
  } finally {
    closeSync(parent);
  }
  try {
    // Open until the mount is done: mount(8) reaches the checked inode through this descriptor.
    await bindAt(fd, staging);
  } finally {
    closeSync(fd);
  }
  return staging;
}
