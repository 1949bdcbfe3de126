import fs from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import type { HttpClient } from 'isomorphic-git/http/node';
import type { RepositorySpec } from '../apps/app-spec.js';
import { compactMirror, countPacks } from './compact-mirror.js';
import { findGitdir } from './find-gitdir.js';
import { createGitHttpClient } from './git-http.js';
import { GitObjects } from './git-objects.js';
import { GitRemote } from './git-remote.js';
import { initMirror, isMirror } from './mirror-files.js';
import { GitTree } from './git-tree.js';
import { displayUrl, isLocalUrl, localPath } from './normalize-url.js';
import { SourceError } from './source-error.js';
import { TreeCache } from './tree-cache.js';
import { httpClientUploadPackPost, nodeUploadPackPost } from './upload-pack-post.js';

export interface RepositorySourceOptions {
  /** baton's state dir; mirrors of remote repositories live in `<stateDir>/git/<id>.git`. */
  stateDir: string;
  /** Where the token variable (`tokenEnv`, default BATON_GIT_TOKEN) is read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds an HTTP request to the remote may take before the check or fetch fails. @defaultValue 60000 */
  httpTimeoutMs?: number;
  /** Parsed tree objects, shareable between repositories (ids are content hashes). @defaultValue a private cache */
  treeCache?: TreeCache;
  /** HTTP client for remotes. @defaultValue isomorphic-git's node client with `httpTimeoutMs` */
  http?: HttpClient;
  /** Packs a mirror may hold before a fetch of the followed branch starts it over as one pack. @defaultValue 50 */
  maxPacks?: number;
}

/** Result of a ref check. */
export interface RefCheck {
  /** Commit the tracked branch points at now. */
  commit: string;
  /** True when that commit differs from the last one fetched (remote) or seen (local path): call fetch(). */
  moved: boolean;
}

export interface CommitInfo {
  sha: string;
  /** Full commit message, trailing newline removed. */
  message: string;
  /** `Name <email>` of the author. */
  author: string;
  /** Author time. */
  time: Date;
}

const SHA = /^[0-9a-f]{40}$/;
/** Commits whose GitTree (and the paths it has looked up) a source keeps. */
const MAX_TREES = 4;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

/**
 * One Git repository as baton reads it: a remote (http/https) through a bare
 * mirror in the state dir, or a local path through its own `.git`. Files are
 * always read from Git objects at a commit, never from a working tree.
 */
export class RepositorySource {
  readonly id: string;
  /** URL or path without credentials, for messages and status. */
  readonly url: string;
  readonly local: boolean;
  private readonly remote: GitRemote;
  private readonly treeCache: TreeCache;
  private readonly mirrorDir: string;
  private objects: GitObjects | undefined;
  private gitdirPromise: Promise<string> | undefined;
  /** Full name of the remote ref followed (e.g. `refs/heads/main`) and its commit at the last check. */
  private tracked: { ref: string; oid: string } | undefined;
  /** The commit a local path's ref pointed at when last fetched. */
  private localSeen: string | undefined;
  private mirrorReady = false;
  private readonly mirrorRefs = new Map<string, string>();
  /** The trees of the commits read last: planning asks each about the same paths once per app. */
  private readonly trees = new Map<string, GitTree>();
  private readonly maxPacks: number;
  private pendingFetch: Promise<string> | undefined;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly spec: RepositorySpec,
    options: RepositorySourceOptions,
  ) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(spec.id)) {
      throw new SourceError('INVALID_SPEC', `repository id "${spec.id}" must be letters, digits, '.', '_' or '-' (see repoId())`, { url: spec.url });
    }
    this.id = spec.id;
    this.local = isLocalUrl(spec.url);
    this.url = this.local ? localPath(spec.url) : displayUrl(spec.url);
    if (this.local && !spec.url.startsWith('file://') && !spec.url.startsWith('/')) {
      throw new SourceError('INVALID_SPEC', `repository ${spec.id}: local path "${spec.url}" must be absolute`, { url: spec.url });
    }
    if (!this.local && !/^https?:\/\//i.test(spec.url)) {
      throw new SourceError('UNSUPPORTED_URL', `repository ${spec.id}: ${this.url} is not supported; use an http(s) URL with a token, or a local path`, { url: this.url });
    }
    const httpTimeoutMs = options.httpTimeoutMs ?? 60_000;
    this.remote = new GitRemote(spec, this.url, {
      env: options.env ?? process.env,
      httpTimeoutMs,
      http: options.http ?? createGitHttpClient(httpTimeoutMs),
      post: options.http ? httpClientUploadPackPost(options.http) : nodeUploadPackPost(httpTimeoutMs),
      // Credentials in the URL or a custom HTTP client: leave every request to isomorphic-git.
      direct: !(this.local || options.http || /\/\/[^/]*@/.test(spec.url)),
    });
    this.treeCache = options.treeCache ?? new TreeCache();
    this.mirrorDir = join(options.stateDir, 'git', `${spec.id}.git`);
    this.maxPacks = options.maxPacks ?? 50;
  }

  /** Paths a watcher should follow to see a local commit at once (empty for remotes). */
  async watchPaths(): Promise<string[]> {
    if (!this.local) return [];
    const gitdir = await this.gitdir();
    return [join(gitdir, 'HEAD'), join(gitdir, 'packed-refs'), join(gitdir, 'refs')];
  }

  /**
   * The cheap check run every interval: one ls-remote for a remote (nothing
   * is downloaded), one ref read for a local path.
   */
  async check(): Promise<RefCheck> {
    if (this.local) {
      const commit = await this.readLocalRef();
      return { commit, moved: commit !== this.localSeen };
    }
    const tracked = await this.remote.tracked();
    this.tracked = tracked;
    // A mirror deleted while baton runs is cloned again by the fetch this asks for.
    if (this.mirrorReady && !(await isMirror(this.mirrorDir))) {
      // Under the fetch lock: a fetch running meanwhile (a sync resolving a commit) must not see it half gone.
      await this.serialize(async () => {
        if (this.mirrorReady && !(await isMirror(this.mirrorDir))) await this.resetMirror();
      });
    }
    const objects = await this.mirror();
    return { commit: tracked.oid, moved: (await this.mirrorRef(objects, tracked.ref)) !== tracked.oid };
  }

  /**
   * Brings the tracked branch's newest commit into reach and returns it. A
   * remote downloads only what the mirror lacks; a force-pushed branch simply
   * moves the mirror's ref (old objects may stay). Concurrent calls share one fetch.
   */
  fetch(): Promise<string> {
    this.pendingFetch ??= this.serialize(async () => {
      if (this.local) {
        this.localSeen = await this.readLocalRef();
        (await this.objectsOf()).resetPackCache();
        return this.localSeen;
      }
      const tracked = this.tracked ?? (await this.remote.tracked());
      return this.fetchRef(tracked.ref, tracked.oid);
    }).finally(() => {
      this.pendingFetch = undefined;
    });
    return this.pendingFetch;
  }

  /** The files at `commit` (which must have been fetched). */
  tree(commit: string): GitTree {
    let tree = this.trees.get(commit);
    if (!tree) {
      tree = new GitTree(this.lazyObjects(), commit);
      this.trees.set(commit, tree);
      if (this.trees.size > MAX_TREES) this.trees.delete(this.trees.keys().next().value as string);
    }
    return tree;
  }

  /** Id of the tree or blob at `path` in `commit`, undefined when absent: equal ids mean unchanged content. */
  treeOid(commit: string, path: string): Promise<string | undefined> {
    return this.tree(commit).oidAt(path);
  }

  /**
   * Whether `commit` descends from `ancestor` (a fast-forward), false for a
   * force push; undefined when `ancestor` is no longer held (a compacted mirror)
   * and it cannot be told.
   */
  async descendsFrom(commit: string, ancestor: string): Promise<boolean | undefined> {
    if (commit === ancestor) return true;
    const objects = await this.objectsOf();
    if (!(await objects.hasObject(ancestor))) return undefined;
    return objects.isDescendent(commit, ancestor).catch(() => undefined);
  }

  async commitInfo(commit: string): Promise<CommitInfo> {
    const { oid, commit: c } = await (await this.objectsOf()).readCommit(commit);
    return {
      sha: oid,
      message: c.message.replace(/\n+$/, ''),
      author: `${c.author.name} <${c.author.email}>`,
      time: new Date(c.author.timestamp * 1000),
    };
  }

  /**
   * The commit a branch, tag, full ref (`refs/pull/7/head`,
   * `refs/merge-requests/7/head`) or commit id names now, fetched into the
   * mirror when missing. Remote refs are looked up with ls-remote every call.
   */
  async resolveRef(ref: string): Promise<string> {
    if (!ref || ref.includes('..') || /[\s~^:?*[\\]/.test(ref)) {
      throw new SourceError('INVALID_SPEC', `"${ref}" is not a valid Git ref or commit id`, { url: this.url, ref });
    }
    return this.local ? this.resolveLocalRef(ref) : this.resolveRemoteRef(ref);
  }

  private async resolveLocalRef(ref: string): Promise<string> {
    const objects = await this.objectsOf();
    const gitdir = objects.gitdir;
    if (SHA.test(ref) && (await objects.hasObject(ref))) return objects.peelToCommit(ref);
    const oid =
      (await git.resolveRef({ fs, gitdir, ref }).catch(() => undefined)) ??
      (SHORT_SHA.test(ref) ? await git.expandOid({ fs, gitdir, oid: ref }).catch(() => undefined) : undefined);
    if (!oid) throw new SourceError('REF_NOT_FOUND', `"${ref}" names no branch, tag or commit in ${this.url}`, { url: this.url, ref });
    return objects.peelToCommit(oid);
  }

  private async resolveRemoteRef(ref: string): Promise<string> {
    const objects = await this.mirror();
    if (SHA.test(ref)) return this.serialize(() => this.fetchCommit(ref));
    if (SHORT_SHA.test(ref)) {
      const full = await git.expandOid({ fs, gitdir: objects.gitdir, oid: ref }).catch(() => undefined);
      if (full) return objects.peelToCommit(full);
    }
    const candidates = ref === 'HEAD' || ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    for (const name of candidates) {
      const found = await this.remote.lsRemote(name, false);
      if (!found) continue;
      const commit = found.peeled ?? found.oid;
      if (await objects.hasObject(commit)) return objects.peelToCommit(commit);
      return this.serialize(async () => objects.peelToCommit(await this.fetchRef(found.ref, found.oid)));
    }
    throw new SourceError('REF_NOT_FOUND', `"${ref}" names no branch, tag or ref in ${this.url}`, { url: this.url, ref });
  }

  /** A commit by id: usually in the tracked branch's history, else asked for directly (servers may refuse). */
  private async fetchCommit(sha: string): Promise<string> {
    const objects = await this.mirror();
    if (await objects.hasObject(sha)) return objects.peelToCommit(sha);
    const tracked = this.tracked ?? (await this.remote.tracked());
    await this.fetchRef(tracked.ref, tracked.oid);
    if (await objects.hasObject(sha)) return objects.peelToCommit(sha);
    try {
      await this.fetchRef(sha, sha);
    } catch (err) {
      throw new SourceError('COMMIT_NOT_FOUND', `commit ${sha} is not in ${this.url} (not on ${tracked.ref}, and the server would not send it by id)`, { url: this.url, ref: sha }, { cause: err });
    }
    return objects.peelToCommit(sha);
  }

  /**
   * Fetches one remote ref (or commit id) into the mirror; returns the commit.
   * A fetch that failed on a mirror found deleted or corrupt (not on the remote)
   * starts the mirror over and fetches once more. Callers hold the lock.
   */
  private async fetchRef(remoteRef: string, expected?: string): Promise<string> {
    try {
      return await this.fetchIntoMirror(remoteRef, expected);
    } catch (err) {
      if (isRemoteTrouble(err) || !(await this.mirrorBroken())) throw err;
      await this.resetMirror();
      return this.fetchIntoMirror(remoteRef, expected);
    }
  }

  /** Whether the mirror is gone or cannot read the commit its followed ref names. */
  private async mirrorBroken(): Promise<boolean> {
    if (!(await isMirror(this.mirrorDir))) return true;
    const origin = await git.getConfig({ fs, gitdir: this.mirrorDir, path: 'remote.origin.url' }).catch(() => undefined);
    if (origin === undefined) return true;
    const ref = this.tracked?.ref;
    // A ref this source wrote must still be there, and name a commit it can read.
    const written = ref ? this.mirrorRefs.get(ref) : undefined;
    const oid = ref ? await git.resolveRef({ fs, gitdir: this.mirrorDir, ref }).catch(() => undefined) : undefined;
    if (!oid) return written !== undefined;
    return (await this.objectsOf())
      .readCommit(oid)
      .then(() => false)
      .catch(() => true);
  }

  /** Deletes what is left of the mirror; the next use clones it again. */
  private async resetMirror(): Promise<void> {
    await rm(this.mirrorDir, { recursive: true, force: true });
    this.mirrorReady = false;
    this.mirrorRefs.clear();
    this.objects?.resetPackCache();
  }

  private async fetchIntoMirror(remoteRef: string, expected?: string): Promise<string> {
    const objects = await this.mirror();
    const localRef = SHA.test(remoteRef) ? undefined : remoteRef.startsWith('refs/') ? remoteRef : `refs/baton/${remoteRef}`;
    // A branch moved back to a commit we already hold (revert by force-push) needs no download.
    let head = expected && (await objects.hasObject(expected)) ? expected : undefined;
    if (!head) {
      if (remoteRef === this.tracked?.ref && (await countPacks(objects.gitdir)) >= this.maxPacks) {
        const scratch = `${this.mirrorDir}.compact-${process.pid}-${Math.random().toString(36).slice(2)}`;
        head = await compactMirror(objects.gitdir, scratch, async (gitdir) => {
          await initMirror(gitdir, this.url);
          return this.remote.fetchInto(gitdir, remoteRef, expected);
        });
      } else {
        head = await this.remote.fetchInto(objects.gitdir, remoteRef, expected);
      }
      objects.resetPackCache();
    }
    if (localRef) {
      await git.writeRef({ fs, gitdir: objects.gitdir, ref: localRef, value: head, force: true });
      this.mirrorRefs.set(localRef, head);
    }
    return objects.peelToCommit(head);
  }

  private async readLocalRef(): Promise<string> {
    const objects = await this.objectsOf();
    const ref = this.spec.branch ? `refs/heads/${this.spec.branch}` : 'HEAD';
    const oid = await git.resolveRef({ fs, gitdir: objects.gitdir, ref }).catch(() => undefined);
    if (!oid) {
      const what = this.spec.branch ? `branch "${this.spec.branch}" does not exist` : 'HEAD names no commit (is the repository empty?)';
      throw new SourceError('REF_NOT_FOUND', `${this.url}: ${what}`, { url: this.url, ref });
    }
    // The usual case: a branch pointing at the commit seen last time, no object read needed.
    return oid === this.localSeen ? oid : objects.peelToCommit(oid);
  }

  private gitdir(): Promise<string> {
    this.gitdirPromise ??= (this.local ? findGitdir(this.url) : Promise.resolve(this.mirrorDir)).catch((err: unknown) => {
      this.gitdirPromise = undefined;
      throw err;
    });
    return this.gitdirPromise;
  }

  private async objectsOf(): Promise<GitObjects> {
    if (!this.objects) this.objects = new GitObjects(await this.gitdir(), this.treeCache, this.url);
    return this.objects;
  }

  /** Objects for a GitTree created synchronously: the gitdir is found on first read. */
  private lazyObjects(): GitObjects {
    if (this.objects) return this.objects;
    if (!this.local) return (this.objects = new GitObjects(this.mirrorDir, this.treeCache, this.url));
    throw new SourceError('COMMIT_NOT_FOUND', `${this.url} has not been read yet; call check() or fetch() first`, { url: this.url });
  }

  /** The bare mirror of a remote, created atomically on first use. */
  private async mirror(): Promise<GitObjects> {
    const objects = await this.objectsOf();
    if (this.mirrorReady) return objects;
    if (await stat(join(this.mirrorDir, 'config')).catch(() => undefined)) {
      this.mirrorReady = true;
      return objects;
    }
    const tmp = `${this.mirrorDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await initMirror(tmp, this.url);
    await rename(tmp, this.mirrorDir).catch(async (err: NodeJS.ErrnoException) => {
      await rm(tmp, { recursive: true, force: true });
      // Another caller made it first; theirs is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
    this.mirrorReady = true;
    return objects;
  }

  /** A ref of the mirror; only this source writes them, so they are read from disk once. */
  private async mirrorRef(objects: GitObjects, ref: string): Promise<string | undefined> {
    let oid = this.mirrorRefs.get(ref);
    if (oid === undefined) {
      oid = await git.resolveRef({ fs, gitdir: objects.gitdir, ref }).catch(() => undefined);
      if (oid !== undefined) this.mirrorRefs.set(ref, oid);
    }
    return oid;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

/** The remote, not the mirror, failed (network, auth, a missing repository or ref): starting the mirror over would not help. */
function isRemoteTrouble(err: unknown): boolean {
  return err instanceof SourceError && ['UNREACHABLE', 'AUTH_REQUIRED', 'AUTH_FAILED', 'REPOSITORY_NOT_FOUND', 'UNSUPPORTED_URL', 'INVALID_SPEC'].includes(err.code);
}
