import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'chokidar';
import { backoffDelay, withJitter } from '../../runtime/kube/reconcile/backoff.js';
import { startReconcileLoop, type ReconcileLoop } from '../../runtime/kube/reconcile/reconcile-loop.js';
import { done, requeueAfter, type ReconcileResult } from '../../runtime/kube/reconcile/reconcile-result.js';
import type { RepositorySpec } from '../apps/app-spec.js';
import { normalizeUrl } from './normalize-url.js';
import { RepositorySource } from './repository.js';
import { SourceError } from './source-error.js';
import { sourceProblem, type SourceTrouble } from './source-problem.js';
import { TreeCache } from './tree-cache.js';

export interface SourcePollerOptions {
  /** baton's state dir (mirrors go below it). */
  stateDir: string;
  /** Where token variables are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Fraction of the interval a check time varies by, so repositories do not poll in lock-step. @defaultValue 0.1 */
  jitter?: number;
  /** First retry delay after a failed check; doubles per failure. @defaultValue 5000 */
  minBackoffMs?: number;
  /** Longest retry delay after failures. @defaultValue 300000 */
  maxBackoffMs?: number;
  /** Checks (and fetches) running at once across all repositories. @defaultValue 16 */
  concurrency?: number;
  /** Watch local repositories' refs with chokidar so a commit is seen at once. @defaultValue true */
  watchLocal?: boolean;
  /** Milliseconds an HTTP request to a remote may take. @defaultValue 60000 */
  httpTimeoutMs?: number;
}

/** A repository's followed branch now points at `commit` (fetched, ready to read). */
export interface RevisionEvent {
  repository: string;
  commit: string;
  /** The commit reported before, undefined for the first one since start. */
  previous: string | undefined;
  /** True when `commit` does not descend from `previous`: the branch was force-pushed (the new head is deployed all the same). */
  forced?: boolean;
}

/** What is wrong with reading a repository changed: `problem` (see sourceProblem) is the line for its apps, undefined once it reads fine. */
export interface SourceProblemEvent {
  repository: string;
  problem: string | undefined;
}

/** A check or fetch failed; the last good commit is kept and the check backs off. */
export interface SourceErrorEvent {
  repository: string;
  error: Error;
}

/** Events of a SourcePoller, as listener argument lists. */
/** One request to a remote, for metrics: a ref check (ls-remote) or a fetch. */
export interface GitRequestEvent {
  repository: string;
  requestType: 'ls-remote' | 'fetch';
  durationMs: number;
  /** Set when the request failed. */
  error?: Error;
}

export interface SourcePollerEvents {
  revision: [event: RevisionEvent];
  /** After every ls-remote and fetch of a remote repository (local paths make no requests). */
  request: [event: GitRequestEvent];
  /** Emitted only while someone listens, so an unwatched failure never throws. */
  error: [event: SourceErrorEvent];
  /** After the first check, then whenever it changes: the repository became unreachable or unreadable, its branch was force-pushed, or that is over. */
  problem: [event: SourceProblemEvent];
}

export interface SourceStatus extends SourceTrouble {
  id: string;
  /** URL or path without credentials. */
  url: string;
  /** Last commit successfully fetched (kept through errors). */
  lastCommit?: string;
  /** When the last check finished, successful or not. */
  lastCheck?: Date;
  /** When the last fetch finished. */
  lastFetch?: Date;
  /** Failed checks in a row. */
  failures: number;
  /** When the next scheduled check runs (undefined while one runs). */
  nextCheckAt?: Date;
}

type PendingEvent = { name: 'revision'; event: RevisionEvent } | { name: 'error'; event: SourceErrorEvent } | { name: 'problem'; event: SourceProblemEvent };

interface Entry {
  spec: RepositorySpec;
  source: RepositorySource;
  normalized: string;
  status: SourceStatus;
  /** The check in flight, for remove() to wait on. */
  running?: Promise<unknown>;
  watching?: boolean;
  watcher?: FSWatcher;
  watchTimer?: NodeJS.Timeout;
  closed: boolean;
  /** The problem last reported (sourceProblem), to report only changes; the first check always reports. */
  problem?: { text: string | undefined };
}

/**
 * Coalesces the events of one ref update that arrive together. Git renames a
 * ref into place once the commit is written, so the first event can be checked
 * at once; later ones share a follow-up check (the reconcile loop coalesces them).
 */
const WATCH_SETTLE_MS = 0;

/**
 * Follows many repositories: a cheap ref check every interval (±jitter), a
 * fetch only when the ref moved, local paths also watched with chokidar, and
 * manual refresh() (webhooks) coalesced with all of that. The checks run on
 * the shared reconcile loop keyed by repository id: one check runs per
 * repository at a time, and requests arriving meanwhile share one follow-up check.
 */
export class SourcePoller extends EventEmitter<SourcePollerEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly treeCache = new TreeCache();
  private readonly jitter: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly loop: ReconcileLoop;
  private closed = false;

  constructor(private readonly options: SourcePollerOptions) {
    super();
    this.jitter = options.jitter ?? 0.1;
    this.minBackoffMs = options.minBackoffMs ?? 5_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.loop = startReconcileLoop({
      name: 'source-poller',
      reconcile: (id) => this.reconcile(id),
      concurrency: options.concurrency ?? 16,
      // The interval counts from the last check, whatever started it.
      latestRequeueWins: true,
    });
  }

  /**
   * Starts following a repository (its first check runs at once). Adding an id
   * again replaces its spec and keeps its last commit. Throws a SourceError for
   * a spec that can never work (relative path, ssh URL, bad id).
   */
  add(spec: RepositorySpec): RepositorySource {
    if (this.closed) throw new Error('SourcePoller is closed');
    if (!(spec.intervalSeconds > 0)) {
      throw new SourceError('INVALID_SPEC', `repository ${spec.id}: intervalSeconds must be a positive number of seconds, not ${String(spec.intervalSeconds)}`, { url: spec.url });
    }
    const old = this.entries.get(spec.id);
    // A configuration reload hands the same specs again: nothing to restart.
    if (old && sameSpec(old.spec, spec)) return old.source;
    const source = new RepositorySource(spec, {
      stateDir: this.options.stateDir,
      env: this.options.env,
      httpTimeoutMs: this.options.httpTimeoutMs,
      treeCache: this.treeCache,
    });
    if (old) void this.stop(old);
    const entry: Entry = {
      spec,
      source,
      normalized: normalizeUrl(spec.url),
      status: { id: spec.id, url: source.url, failures: 0, lastCommit: old?.status.lastCommit },
      closed: false,
    };
    this.entries.set(spec.id, entry);
    void this.trigger(entry);
    return source;
  }

  /** Stops following a repository; its mirror stays on disk. */
  async remove(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    await Promise.all([this.stop(entry), entry.running]);
  }

  /** The source of a followed repository, to read trees and commits. */
  repository(id: string): RepositorySource | undefined {
    return this.entries.get(id)?.source;
  }

  status(id: string): SourceStatus | undefined {
    const s = this.entries.get(id)?.status;
    return s && { ...s };
  }

  list(): SourceStatus[] {
    return [...this.entries.values()].map((e) => ({ ...e.status }));
  }

  /** Ids of the followed repositories known by this id or URL (compared normalized, as refresh does). */
  match(repoIdOrUrl: string): string[] {
    return this.matching(repoIdOrUrl).map((e) => e.spec.id);
  }

  /** Entries with this id, or whose URL normalizes to the same as `repoIdOrUrl` (itself a URL or already normalized, as in WebhookEvent.repoUrls). */
  private matching(repoIdOrUrl: string): Entry[] {
    let normalized: string | undefined;
    try {
      normalized = normalizeUrl(repoIdOrUrl);
    } catch {
      normalized = undefined;
    }
    return [...this.entries.values()].filter((e) => e.spec.id === repoIdOrUrl || e.normalized === repoIdOrUrl || e.normalized === normalized);
  }

  /**
   * Checks now the repositories with this id or clone URL (compared
   * normalized: host case, credentials, `.git` and trailing `/` do not matter).
   * Resolves with how many matched, once a check started after this call has
   * finished for each. A check already running is not duplicated: one more
   * follows it for all refreshes that arrived meanwhile.
   */
  async refresh(repoIdOrUrl: string): Promise<number> {
    const matched = this.matching(repoIdOrUrl);
    await Promise.all(matched.map((e) => this.trigger(e)));
    return matched.length;
  }

  /** Stops every timer and watcher and waits for running checks. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all([...entries.map((e) => this.stop(e)), this.loop.stop()]);
  }

  private async stop(entry: Entry): Promise<void> {
    entry.closed = true;
    clearTimeout(entry.watchTimer);
    entry.status.nextCheckAt = undefined;
    await entry.watcher?.close().catch(() => undefined);
  }

  /** Checks the repository soon; resolves once a check started after this call has finished. */
  private trigger(entry: Entry): Promise<void> {
    if (entry.closed) return Promise.resolve();
    entry.status.nextCheckAt = undefined;
    return this.loop.reconcileNow(entry.spec.id);
  }

  /** One check of a followed repository; status (incl. nextCheckAt) is complete before its event. */
  private async reconcile(id: string): Promise<ReconcileResult> {
    const entry = this.entries.get(id);
    if (!entry || entry.closed) return done;
    entry.status.nextCheckAt = undefined;
    const check = this.checkOnce(entry);
    entry.running = check;
    const event = await check;
    entry.running = undefined;
    if (entry.closed) return done;
    // Counted from the check's own end, so nextCheckAt - lastCheck is exactly the wait, however late this line runs.
    const delay = this.nextDelay(entry);
    const checkedAt = entry.status.lastCheck?.getTime() ?? Date.now();
    entry.status.nextCheckAt = new Date(checkedAt + delay);
    this.emitSafely(event);
    const problem = sourceProblem(entry.status);
    if (!entry.problem || problem !== entry.problem.text) {
      entry.problem = { text: problem };
      this.emitSafely({ name: 'problem', event: { repository: id, problem } });
    }
    return requeueAfter(Math.max(0, checkedAt + delay - Date.now()));
  }

  /** One check (and fetch if moved); never throws. Returns the event to emit. */
  private async checkOnce(entry: Entry): Promise<PendingEvent | undefined> {
    const { status, source } = entry;
    let commit: string;
    try {
      const check = await this.timed(entry, 'ls-remote', () => source.check());
      commit = check.commit;
      if (check.moved) {
        commit = await this.timed(entry, 'fetch', () => source.fetch());
        status.lastFetch = new Date();
      }
    } catch (err) {
      if (entry.closed) return undefined;
      const error = err instanceof Error ? err : new Error(String(err));
      status.lastCheck = new Date();
      if (status.failures++ === 0) status.failingSince = status.lastCheck;
      status.error = error.message;
      status.errorCode = err instanceof SourceError ? err.code : undefined;
      return { name: 'error', event: { repository: entry.spec.id, error } };
    }
    if (entry.closed) return undefined;
    // Watch once the path is known to be a repository (it may appear after add()).
    if (source.local && !entry.watching && this.options.watchLocal !== false) {
      entry.watching = true;
      this.watchLocal(entry).catch(() => {
        entry.watching = false;
      });
    }
    status.lastCheck = new Date();
    status.failures = 0;
    status.error = undefined;
    status.errorCode = undefined;
    status.failingSince = undefined;
    const previous = status.lastCommit;
    if (commit === previous) return undefined;
    status.lastCommit = commit;
    const forced = previous !== undefined && (await source.descendsFrom(commit, previous).catch(() => undefined)) === false;
    status.forcePush = forced ? { branch: entry.spec.branch ?? 'HEAD', from: previous, to: commit } : undefined;
    return { name: 'revision', event: { repository: entry.spec.id, commit, previous, ...(forced ? { forced } : {}) } };
  }

  private async timed<T>(entry: Entry, requestType: GitRequestEvent['requestType'], request: () => Promise<T>): Promise<T> {
    if (entry.source.local || this.listenerCount('request') === 0) return request();
    const started = performance.now();
    const report = (error?: Error) => {
      const event: GitRequestEvent = { repository: entry.spec.id, requestType, durationMs: performance.now() - started, error };
      try {
        this.emit('request', event);
      } catch {
        // A metrics listener must never break polling.
      }
    };
    try {
      const result = await request();
      report();
      return result;
    } catch (err) {
      report(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /** A throwing listener must not leave the poller's state half-updated; it still surfaces as uncaught. */
  private emitSafely(pending: PendingEvent | undefined): void {
    if (!pending) return;
    try {
      if (pending.name === 'revision') this.emit('revision', pending.event);
      else if (pending.name === 'problem') this.emit('problem', pending.event);
      else if (this.listenerCount('error') > 0) this.emit('error', pending.event);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }

  /** The interval, or the back-off after failed checks, with jitter. */
  private nextDelay(entry: Entry): number {
    const { failures } = entry.status;
    const base = failures > 0 ? backoffDelay(failures - 1, { base: this.minBackoffMs, cap: this.maxBackoffMs }) : entry.spec.intervalSeconds * 1000;
    // setTimeout fires at once beyond 2^31-1 ms, so longer intervals are capped (~24 days).
    return Math.min(2 ** 31 - 1, withJitter(base, this.jitter));
  }

  private async watchLocal(entry: Entry): Promise<void> {
    const paths = await entry.source.watchPaths();
    if (entry.closed) return;
    // Not `atomic`: git renames a ref into place, which chokidar would hold 100 ms to tell from a delete; any event means "check".
    const watcher = watch(paths, { ignoreInitial: true, atomic: false, ignored: (p) => p.endsWith('.lock') });
    entry.watcher = watcher;
    // A commit touches several files (lock, ref): events of one turn make one check.
    watcher.on('all', () => {
      clearTimeout(entry.watchTimer);
      entry.watchTimer = setTimeout(() => void this.trigger(entry), WATCH_SETTLE_MS);
    });
    // A commit made before the watch was ready would otherwise wait for the interval.
    watcher.on('ready', () => void this.trigger(entry));
    watcher.on('error', () => undefined);
  }
}

function sameSpec(a: RepositorySpec, b: RepositorySpec): boolean {
  return a.url === b.url && a.branch === b.branch && a.intervalSeconds === b.intervalSeconds && a.tokenEnv === b.tokenEnv && a.tokenFile === b.tokenFile;
}
