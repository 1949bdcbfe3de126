import type { FileTree, TreeEntry, TreeEntryType } from './file-tree.js';
import { isWithin, joinTreePath, resolveLinkTarget } from './tree-path.js';
import { RenderError } from '../errors/render-error.js';
import { formatBytes, type RenderLimits } from '../limits.js';

const maxHops = 40;
const maxDepth = 32;

/** Reads files from a FileTree, resolving symlinks and refusing any that leave `confine`. */
export class TreeReader {
  private readonly listings = new Map<string, Promise<TreeEntry[] | undefined>>();
  private readonly types = new Map<string, Promise<TreeEntryType | undefined>>();
  private bytes = 0;
  private count = 0;

  constructor(
    readonly tree: FileTree,
    /** Tree path nothing may escape (a chart directory, or '' for a whole repository). */
    readonly confine: string,
    readonly limits: RenderLimits,
  ) {}

  private list(path: string): Promise<TreeEntry[] | undefined> {
    let p = this.listings.get(path);
    if (!p) {
      p = this.tree.list(path);
      this.listings.set(path, p);
    }
    return p;
  }

  /** The type of the entry at `path` ('' excluded), from the tree's own lookup when it has one. */
  private typeOf(path: string): Promise<TreeEntryType | undefined> {
    let p = this.types.get(path);
    if (!p) {
      const slash = path.lastIndexOf('/');
      const name = path.slice(slash + 1);
      // No listing holds `.` or `..`: a lookup must not make them mean something.
      if (name === '.' || name === '..') p = Promise.resolve(undefined);
      else p = this.tree.typeOf ? this.tree.typeOf(path) : this.list(path.slice(0, Math.max(0, slash))).then((entries) => entries?.find((e) => e.name === name)?.type);
      this.types.set(path, p);
    }
    return p;
  }

  /** Follows symlinks in every segment of `path`; undefined when nothing is there. */
  async resolve(path: string): Promise<{ path: string; type: 'file' | 'dir' } | undefined> {
    let segments = path.split('/').filter(Boolean);
    let hops = 0;
    restart: while (true) {
      let cur = '';
      for (let i = 0; i < segments.length; i++) {
        const next = joinTreePath(cur, segments[i]);
        const type = await this.typeOf(next);
        if (!type) return undefined;
        if (type === 'symlink') {
          if (++hops > maxHops) throw RenderError.at('PATH_ESCAPE', next, 1, 1, `too many levels of symlinks at "${next}"`);
          const target = (await this.tree.readLink(next)) ?? '';
          const resolved = resolveLinkTarget(next, target);
          if (resolved === undefined || !isWithin(resolved, this.confine)) {
            throw RenderError.at('PATH_ESCAPE', next, 1, 1, `symlink "${next}" points to "${target}", outside ${this.scope()}; symlinks must stay inside it`);
          }
          segments = [...resolved.split('/').filter(Boolean), ...segments.slice(i + 1)];
          continue restart;
        }
        if (type === 'file' && i < segments.length - 1) return undefined;
        cur = next;
      }
      if (cur === '') return { path: '', type: 'dir' };
      return { path: cur, type: (await this.typeOf(cur)) === 'dir' ? 'dir' : 'file' };
    }
  }

  private scope(): string {
    return this.confine === '' ? 'the repository' : `"${this.confine}"`;
  }

  /** Reads one file (after resolving links), enforcing the size caps. `shownAs` names it in errors. */
  async readFile(path: string, shownAs = path): Promise<Buffer | undefined> {
    if (!isWithin(path, this.confine)) {
      throw RenderError.at('PATH_ESCAPE', shownAs, 1, 1, `"${path}" is outside ${this.scope()}`);
    }
    const r = await this.resolve(path);
    if (!r || r.type !== 'file') return undefined;
    const size = await this.tree.size?.(r.path);
    if (size !== undefined && size > this.limits.maxFileBytes) {
      throw RenderError.at('TOO_LARGE', shownAs, 1, 1, `file is ${formatBytes(size)}, over the ${formatBytes(this.limits.maxFileBytes)} limit`);
    }
    const buf = await this.tree.read(r.path);
    if (!buf) return undefined;
    if (buf.length > this.limits.maxFileBytes) {
      throw RenderError.at('TOO_LARGE', shownAs, 1, 1, `file is ${formatBytes(buf.length)}, over the ${formatBytes(this.limits.maxFileBytes)} limit`);
    }
    this.bytes += buf.length;
    if (++this.count > this.limits.maxFiles) {
      throw RenderError.at('TOO_LARGE', shownAs, 1, 1, `more than ${this.limits.maxFiles} files read in one render`);
    }
    if (this.bytes > this.limits.maxInputBytes) {
      throw RenderError.at('TOO_LARGE', shownAs, 1, 1, `inputs total more than ${formatBytes(this.limits.maxInputBytes)}`);
    }
    return buf;
  }

  /**
   * Loads every file below `dir`, keyed by the path it was reached through
   * (so a linked file keeps its link's name). Errors are collected, not thrown,
   * except when the directory itself cannot be resolved. `skip` is asked
   * before anything is read; for a symlink (`isLink`) once more with its
   * target's type.
   */
  async loadDir(dir: string, errors: RenderError[], skip?: (relPath: string, isDir: boolean, isLink?: boolean) => boolean): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    const walk = async (virtualDir: string, realDir: string, depth: number): Promise<void> => {
      if (depth > maxDepth) {
        errors.push(RenderError.at('PATH_ESCAPE', virtualDir, 1, 1, `directories nested deeper than ${maxDepth} levels (a symlink loop?)`));
        return;
      }
      for (const entry of (await this.list(realDir)) ?? []) {
        const virtual = joinTreePath(virtualDir, entry.name);
        const real = joinTreePath(realDir, entry.name);
        const rel = virtual.slice(dir === '' ? 0 : dir.length + 1);
        const link = entry.type === 'symlink';
        if (skip?.(rel, entry.type === 'dir', link)) continue;
        try {
          const r = link ? await this.resolve(real) : { path: real, type: entry.type };
          // A link is asked about again once its target's type is known.
          if (link && skip?.(rel, r?.type === 'dir')) continue;
          if (!r) {
            errors.push(RenderError.at('NOT_FOUND', virtual, 1, 1, `symlink "${virtual}" is dangling`));
          } else if (r.type === 'dir') {
            await walk(virtual, r.path, depth + 1);
          } else {
            const buf = await this.readFile(r.path, virtual);
            if (buf) files.set(virtual, buf);
          }
        } catch (err) {
          if (!(err instanceof RenderError)) throw err;
          errors.push(err);
          if (err.code === 'TOO_LARGE' && err.message.includes('total')) return;
        }
      }
    };
    const root = await this.resolve(dir);
    if (!root || root.type !== 'dir') {
      throw RenderError.at('NOT_FOUND', dir || '.', 1, 1, `directory "${dir || '.'}" not found`);
    }
    await walk(dir, root.path, 0);
    return files;
  }
}
