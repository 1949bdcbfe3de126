import type { StoreEvent } from './watch-hub.js';

/** Where committed writes go: one atomic transaction per batch. */
export interface Persistence {
  /** Writes (ADDED, MODIFIED) or removes (DELETED) each event's object, oldest first, and records the last event's resourceVersion, all atomically. */
  commit(events: readonly StoreEvent[]): void;
  close(): void;
}

/**
 * A group commit: the writes of one event-loop turn go to disk in one
 * transaction (one WAL append instead of one per write), and only then are
 * they published to watchers and acknowledged to writers. So nobody outside
 * sees a write, or a resourceVersion, that a crash could still take back;
 * and a crash mid-batch leaves every object old or new, never torn.
 */
export class GroupCommit {
  private staged: StoreEvent[] = [];
  private waiting?: { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void };
  private scheduled?: NodeJS.Immediate;
  private failure?: Error;

  constructor(
    private readonly persistence: Persistence,
    private readonly publish: (event: StoreEvent) => void,
  ) {}

  /** Set once a batch failed to commit: the in-memory state is then ahead of the disk, so the store takes nothing more. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Queues a write made in memory; it commits at the end of this turn. */
  stage(event: StoreEvent): void {
    this.staged.push(event);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Resolves once everything staged so far is on disk and published; rejects if its batch failed. */
  committed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.staged.length === 0) return Promise.resolve();
    this.waiting ??= deferred();
    return this.waiting.promise;
  }

  /** Resolves when nothing is staged: what a reader then sees in memory is on disk. */
  async settled(): Promise<void> {
    while (this.staged.length > 0 || this.failure) await this.committed();
  }

  /** Commits what is staged now (end of turn, or before close). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.staged.length === 0) return;
    const batch = this.staged;
    const waiting = this.waiting;
    this.staged = [];
    this.waiting = undefined;
    try {
      this.persistence.commit(batch);
    } catch (err) {
      this.failure = new Error(`the runtime's store could not commit ${batch.length} write(s) and takes no more; restart the runtime: ${(err as Error).message}`, { cause: err });
      waiting?.reject(this.failure);
      return;
    }
    for (const event of batch) this.publish(event);
    waiting?.resolve();
  }

  /** Commits what is staged, then closes the persistence. */
  close(): void {
    this.flush();
    this.persistence.close();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
