import fs from 'node:fs';
import git, { type ReadCommitResult } from 'isomorphic-git';
import { ObjectSizes } from './object-size.js';
import { SourceError } from './source-error.js';
import type { GitTreeEntry, TreeCache } from './tree-cache.js';

/**
 * Read access to the objects of one Git directory (a mirror or a local
 * repository's own `.git`), with the caches isomorphic-git and baton keep for it.
 */
export class GitObjects {
  /** isomorphic-git's cache (parsed pack indexes); reset with `resetPackCache()`. */
  private cache: object = {};
  /** Root tree of recently read commits: many apps ask about the same commit. */
  private readonly commitTrees = new Map<string, string>();
  private readonly sizes: ObjectSizes;

  constructor(
    readonly gitdir: string,
    readonly trees: TreeCache,
    /** The repository as users name it (no credentials), for messages. */
    readonly label: string,
  ) {
    this.sizes = new ObjectSizes(gitdir);
  }

  /** Forget loaded pack files, e.g. after `git gc` replaced them in a local repository. */
  resetPackCache(): void {
    this.cache = {};
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
    const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    const entries = tree.map((e) => ({ name: e.path, mode: e.mode, oid: e.oid }));
    this.trees.set(oid, entries);
    return entries;
  }

  /** A blob's size from its object or pack header, without inflating it; undefined if it cannot be found. */
  blobSize(oid: string): Promise<number | undefined> {
    return this.sizes.sizeOf(oid);
  }

  async readBlob(oid: string): Promise<Buffer> {
    const { blob } = await git.readBlob({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  }

  async hasObject(oid: string): Promise<boolean> {
    try {
      await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'deflated', cache: this.cache });
      return true;
    } catch {
      return false;
    }
  }

  /** Follows annotated tags to the commit they name. */
  async peelToCommit(oid: string): Promise<string> {
    for (let depth = 0; depth < 10; depth++) {
      const { type, object } = await git.readObject({ fs, gitdir: this.gitdir, oid, cache: this.cache }).catch((err) => {
        throw this.missing(err, oid);
      });
      if (type === 'commit') return oid;
      if (type !== 'tag') throw new SourceError('COMMIT_NOT_FOUND', `${oid} in ${this.label} is a ${type}, not a commit`, { url: this.label, ref: oid });
      oid = (object as { object: string }).object;
    }
    throw new SourceError('COMMIT_NOT_FOUND', `tag chain at ${oid} in ${this.label} is too deep`, { url: this.label, ref: oid });
  }

  async readCommit(commit: string): Promise<ReadCommitResult> {
    try {
      return await git.readCommit({ fs, gitdir: this.gitdir, oid: commit, cache: this.cache });
    } catch (err) {
      throw this.missing(err, commit);
    }
  }

  private missing(err: unknown, oid: string): unknown {
    if ((err as { code?: string }).code === 'NotFoundError') {
      return new SourceError('COMMIT_NOT_FOUND', `commit ${oid} is not in ${this.label}; fetch it first`, { url: this.label, ref: oid }, { cause: err });
    }
    return err;
  }
}
