import { lstat, readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { FileTree, TreeEntry } from './file-tree.js';
import { normalizeTreePath } from './tree-path.js';
import { RenderError } from '../errors/render-error.js';

/** A FileTree over a directory on disk. Never follows a symlink out of `root`. */
export class DiskTree implements FileTree {
  private rootReal: Promise<string> | undefined;

  constructor(readonly root: string) {}

  private full(path: string): string {
    const p = normalizeTreePath(path);
    return p === '' ? this.root : join(this.root, ...p.split('/'));
  }

  async read(path: string): Promise<Buffer | undefined> {
    const full = this.full(path);
    const st = await lstat(full).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    // A parent directory may itself be an OS-level symlink: check where we really are.
    this.rootReal ??= realpath(this.root);
    const [root, real] = await Promise.all([this.rootReal, realpath(full)]);
    if (real !== root && !real.startsWith(root + sep)) {
      throw RenderError.at('PATH_ESCAPE', normalizeTreePath(path), 1, 1, `"${path}" resolves outside the tree`);
    }
    return readFile(full);
  }

  /** `lstat`'s size (a symlink or directory is undefined, as `read` gives nothing for them). */
  async size(path: string): Promise<number | undefined> {
    const st = await lstat(this.full(path)).catch(() => undefined);
    return st?.isFile() ? st.size : undefined;
  }

  async list(path: string): Promise<TreeEntry[] | undefined> {
    const full = this.full(path);
    const st = await lstat(full).catch(() => undefined);
    if (!st?.isDirectory()) return undefined;
    const entries = await readdir(full, { withFileTypes: true });
    const out: TreeEntry[] = [];
    for (const e of entries) {
      if (e.isFile()) out.push({ name: e.name, type: 'file' });
      else if (e.isDirectory()) out.push({ name: e.name, type: 'dir' });
      else if (e.isSymbolicLink()) out.push({ name: e.name, type: 'symlink' });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async readLink(path: string): Promise<string | undefined> {
    const full = this.full(path);
    const st = await lstat(full).catch(() => undefined);
    if (!st?.isSymbolicLink()) return undefined;
    return readlink(full);
  }
}
