import type { FileTree, TreeEntry } from './file-tree.js';
import { normalizeTreePath } from './tree-path.js';

/** A symlink in a MemoryTree. */
export interface MemorySymlink {
  symlink: string;
}

export type MemoryEntry = string | Buffer | MemorySymlink;

/**
 * A FileTree held in memory, for tests and for callers that already have the
 * files (e.g. read from Git objects). Directories are implied by file paths.
 */
export class MemoryTree implements FileTree {
  private readonly files = new Map<string, Buffer | MemorySymlink>();
  private readonly dirs = new Map<string, Map<string, TreeEntry>>();

  constructor(entries: Record<string, MemoryEntry> = {}) {
    this.dirs.set('', new Map());
    for (const [path, entry] of Object.entries(entries)) this.set(path, entry);
  }

  set(path: string, entry: MemoryEntry): this {
    const p = normalizeTreePath(path);
    const value = typeof entry === 'string' ? Buffer.from(entry) : entry;
    this.files.set(p, value);
    const parts = p.split('/');
    let dir = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i];
      const isLast = i === parts.length - 1;
      const type = isLast ? (Buffer.isBuffer(value) ? 'file' : 'symlink') : 'dir';
      this.dirs.get(dir)!.set(name, { name, type });
      dir = dir === '' ? name : `${dir}/${name}`;
      if (!isLast && !this.dirs.has(dir)) this.dirs.set(dir, new Map());
    }
    return this;
  }

  async read(path: string): Promise<Buffer | undefined> {
    const v = this.files.get(normalizeTreePath(path));
    return Buffer.isBuffer(v) ? v : undefined;
  }

  async list(path: string): Promise<TreeEntry[] | undefined> {
    const d = this.dirs.get(normalizeTreePath(path));
    if (!d) return undefined;
    return [...d.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async readLink(path: string): Promise<string | undefined> {
    const v = this.files.get(normalizeTreePath(path));
    return v && !Buffer.isBuffer(v) ? v.symlink : undefined;
  }
}
