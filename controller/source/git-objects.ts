import { ObjectSizes } from './object-size.js';
import { ObjectStore } from './pack/object-store.js';
import type { RawObject } from './pack/raw-object.js';
import { parseCommit, parseTagTarget, parseTree, type GitCommit } from './parse-git-object.js';
import { SourceError } from './source-error.js';
import type { GitTreeEntry, TreeCache } from './tree-cache.js';

export interface ReadCommitResult {
  oid: string;
  commit: GitCommit;
}

/** Small loose blobs kept between their size and their read (a few hundred KiB at most). */
const SIZED_KEPT = 256;
/** A file compresses ~1,000:1 at most: one of 1 KiB could hold 1 MiB, too much to keep. */
const SIZED_MAX_BYTES = 64 * 1024;

/**
 * Read access to the objects of one Git directory (a mirror or a local
 * repository's own `.git`), with the caches baton keeps for it. Packed objects
 * are read one entry at a time (pack/object-store.ts), never a whole pack.
 */
export class GitObjects {
  private readonly store: ObjectStore;
  /** Root tree of recently read commits: many apps ask about the same commit. */
  private readonly commitTrees = new Map<string, string>();
  private readonly sizes: ObjectSizes;
  /** Trees being read and parsed, so apps planned at once share one read of their parent (a 1,000-entry `apps/`). */
  private readonly treesReading = new Map<string, Promise<readonly GitTreeEntry[]>>();
  /**
   * Small loose blobs read whole while their size was asked (a render asks a file's size, then reads it),
   * each kept until that read, at most SIZED_KEPT of them.
   */
  private readonly sized = new Map<string, RawObject>();

  constructor(
    readonly gitdir: string,
    readonly trees: TreeCache,
    /** The repository as users name it (no credentials), for messages. */
    readonly label: string,
  ) {
    this.store = new ObjectStore(gitdir);
    this.sizes = new ObjectSizes(gitdir, this.store);
  }

  /** Read the list of packs again, e.g. after `git gc` replaced them in a local repository. */
  resetPackCache(): void {
    this.store.reset();
  }

  async treeOfCommit(commit: string): Promise<string> {
    const cached = this.commitTrees.get(commit);
    if (cached) return cached;
    const { commit: c } = await this.readCommit(commit);
    if (this.commitTrees.size >= 1000) this.commitTrees.delete(this.commitTrees.keys().next().value as string);
    this.commitTrees.set(commit, c.tree);
    return c.tree;
  }

  async readTree(oid: string): Promise<readonly GitTreeEntry[]> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    let reading = this.treesReading.get(oid);
    if (!reading) {
      reading = this.readTyped(oid, 'tree')
        .then(({ content }) => {
          const entries = parseTree(content, oid);
          this.trees.set(oid, entries);
          return entries;
        })
        .finally(() => this.treesReading.delete(oid));
      this.treesReading.set(oid, reading);
    }
    return reading;
  }

  /** A blob's size from its object or pack header, without inflating it; undefined if it cannot be found. */
  async blobSize(oid: string): Promise<number | undefined> {
    const sized = await this.sizes.sizeOf(oid);
    if (sized?.object?.type === 'blob' && sized.size <= SIZED_MAX_BYTES) {
      if (this.sized.size >= SIZED_KEPT) this.sized.delete(this.sized.keys().next().value as string);
      this.sized.set(oid, sized.object);
    }
    return sized?.size;
  }

  async readBlob(oid: string): Promise<Buffer> {
    const sized = this.sized.get(oid);
    if (sized) {
      this.sized.delete(oid);
      return sized.content;
    }
    return (await this.readTyped(oid, 'blob')).content;
  }

  hasObject(oid: string): Promise<boolean> {
    return this.store.has(oid);
  }

  /** Follows annotated tags to the commit they name. */
  async peelToCommit(oid: string): Promise<string> {
    for (let depth = 0; depth < 10; depth++) {
      const object = await this.store.read(oid);
      if (!object) throw this.missing(oid);
      if (object.type === 'commit') return oid;
      if (object.type !== 'tag') throw new SourceError('COMMIT_NOT_FOUND', `${oid} in ${this.label} is a ${object.type}, not a commit`, { url: this.label, ref: oid });
      oid = parseTagTarget(object.content, oid);
    }
    throw new SourceError('COMMIT_NOT_FOUND', `tag chain at ${oid} in ${this.label} is too deep`, { url: this.label, ref: oid });
  }

  async readCommit(commit: string): Promise<ReadCommitResult> {
    const object = await this.store.read(commit);
    if (!object) throw this.missing(commit);
    if (object.type !== 'commit') throw new SourceError('COMMIT_NOT_FOUND', `${commit} in ${this.label} is a ${object.type}, not a commit`, { url: this.label, ref: commit });
    return { oid: commit, commit: parseCommit(object.content, commit) };
  }

  /** Whether `ancestor` is reachable from `commit` through parents (undefined when a commit on the way is missing). */
  async isDescendent(commit: string, ancestor: string): Promise<boolean | undefined> {
    const seen = new Set<string>([commit]);
    const queue = [commit];
    while (queue.length > 0) {
      const next = await this.store.read(queue.shift()!);
      if (next?.type !== 'commit') return undefined;
      for (const parent of parseCommit(next.content, commit).parent) {
        if (parent === ancestor) return true;
        if (!seen.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
    return false;
  }

  private async readTyped(oid: string, type: RawObject['type']): Promise<RawObject> {
    const object = await this.store.read(oid);
    if (!object) throw new SourceError('COMMIT_NOT_FOUND', `${type} ${oid} is not in ${this.label}`, { url: this.label, ref: oid });
    if (object.type !== type) throw new SourceError('COMMIT_NOT_FOUND', `${oid} in ${this.label} is a ${object.type}, not a ${type}`, { url: this.label, ref: oid });
    return object;
  }

  private missing(oid: string): SourceError {
    return new SourceError('COMMIT_NOT_FOUND', `commit ${oid} is not in ${this.label}; fetch it first`, { url: this.label, ref: oid });
  }
}
