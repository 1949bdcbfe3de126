import { normalizeTreePath, type FileTree, type TreeEntry, type TreeEntryType } from '../../renderer/index.js';
import type { GitObjects } from './git-objects.js';
import { SourceError } from './source-error.js';
import type { GitTreeEntry } from './tree-cache.js';

const DIR = '040000';
const SYMLINK = '120000';
const SUBMODULE = '160000';

/** Paths whose entries one tree remembers before it starts over. */
const MAX_FOUND = 20_000;

/** Name → entry of large trees (an `apps/` of 1,000 directories), kept as long as the parsed tree is. */
const indexes = new WeakMap<readonly GitTreeEntry[], Map<string, GitTreeEntry>>();

function entryNamed(entries: readonly GitTreeEntry[], name: string): GitTreeEntry | undefined {
  if (entries.length < 32) return entries.find((e) => e.name === name);
  let index = indexes.get(entries);
  if (!index) {
    index = new Map();
    for (const e of entries) if (!index.has(e.name)) index.set(e.name, e);
    indexes.set(entries, index);
  }
  return index.get(name);
}

/**
 * The files of one commit, read straight from Git objects (no checkout).
 *
 * Symlinks (mode 120000) are listed as `symlink` and never followed here.
 * Submodules (mode 160000) are left out of directory listings, as baton does
 * not fetch them; reading or listing a path at or below one throws a
 * SourceError `SUBMODULE` so a user pointing an app into one learns why.
 */
export class GitTree implements FileTree {
  private root: Promise<string> | undefined;
  private readonly lists = new Map<string, TreeEntry[]>();
  private readonly found = new Map<string, Promise<GitTreeEntry | undefined>>();

  constructor(
    private readonly objects: GitObjects,
    readonly commit: string,
  ) {}

  async read(path: string): Promise<Buffer | undefined> {
    const entry = await this.entryAt(path);
    if (!entry || entry.mode === DIR || entry.mode === SYMLINK) return undefined;
    return this.objects.readBlob(entry.oid);
  }

  async size(path: string): Promise<number | undefined> {
    const entry = await this.entryAt(path);
    if (!entry || entry.mode === DIR || entry.mode === SYMLINK) return undefined;
    return this.objects.blobSize(entry.oid);
  }

  async list(path: string): Promise<TreeEntry[] | undefined> {
    const entry = await this.entryAt(path);
    if (entry?.mode !== DIR) return undefined;
    let list = this.lists.get(entry.oid);
    if (!list) {
      list = (await this.objects.readTree(entry.oid))
        .filter((e) => e.mode !== SUBMODULE)
        .map((e): TreeEntry => ({ name: e.name, type: e.mode === DIR ? 'dir' : e.mode === SYMLINK ? 'symlink' : 'file' }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      this.lists.set(entry.oid, list);
    }
    return list.map((e) => ({ ...e }));
  }

  /** The entry's type as list() would show it: a submodule is not there. */
  async typeOf(path: string): Promise<TreeEntryType | undefined> {
    if (normalizeTreePath(path) === '') return 'dir';
    const entry = await this.entryAt(path).catch((err: unknown) => {
      if (err instanceof SourceError && err.code === 'SUBMODULE') return undefined;
      throw err;
    });
    if (!entry) return undefined;
    return entry.mode === DIR ? 'dir' : entry.mode === SYMLINK ? 'symlink' : 'file';
  }

  async readLink(path: string): Promise<string | undefined> {
    const entry = await this.entryAt(path);
    if (entry?.mode !== SYMLINK) return undefined;
    return (await this.objects.readBlob(entry.oid)).toString('utf8');
  }

  /**
   * Id of the tree or blob at `path` (`''` is the root tree), or undefined when
   * nothing is there. Equal ids mean equal content, so the planner can skip an
   * app whose path did not change between two commits.
   */
  async oidAt(path: string): Promise<string | undefined> {
    return (await this.entryAt(path))?.oid;
  }

  private async entryAt(path: string): Promise<GitTreeEntry | undefined> {
    const p = normalizeTreePath(path);
    const entry = await this.lookup(p);
    if (entry?.mode === SUBMODULE) throw this.submodule(p);
    return entry;
  }

  /**
   * The entry at a normalized path (a submodule too), remembered: the planner
   * asks about the same directories for each of many apps. Throws when the
   * path goes through a submodule.
   */
  private lookup(p: string): Promise<GitTreeEntry | undefined> {
    let found = this.found.get(p);
    if (!found) {
      if (this.found.size >= MAX_FOUND) this.found.clear();
      found = this.walk(p);
      this.found.set(p, found);
      // A failed read (an object not fetched yet) is tried again next time.
      found.catch(() => this.found.get(p) === found && this.found.delete(p));
    }
    return found;
  }

  private async walk(p: string): Promise<GitTreeEntry | undefined> {
    if (p === '') {
      this.root ??= this.objects.treeOfCommit(this.commit).catch((err: unknown) => {
        this.root = undefined;
        throw err;
      });
      return { name: '', mode: DIR, oid: await this.root };
    }
    const slash = p.lastIndexOf('/');
    const parentPath = slash < 0 ? '' : p.slice(0, slash);
    const parent = await this.lookup(parentPath);
    if (parent?.mode === SUBMODULE) throw this.submodule(parentPath);
    if (parent?.mode !== DIR) return undefined;
    return entryNamed(await this.objects.readTree(parent.oid), p.slice(slash + 1));
  }

  private submodule(path: string): SourceError {
    return new SourceError(
      'SUBMODULE',
      `"${path}" is a Git submodule in ${this.objects.label} at ${this.commit.slice(0, 12)}; baton does not fetch submodules, so commit the files instead`,
      { url: this.objects.label, ref: this.commit, path },
    );
  }
}
