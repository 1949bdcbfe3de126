/**
 * A de-duplicating work queue keyed by string, as client-go's: a key queued
 * twice is processed once; a key added while it is being processed is
 * processed again afterwards, never by two workers at once.
 */
export class WorkQueue {
  private items: string[] = [];
  private head = 0;
  /** Keys added with addFirst, taken before `items`; entries of keys no longer queued are skipped. */
  private urgent: string[] = [];
  private readonly dirty = new Set<string>();
  /** Dirty keys not being processed: those waiting in `items` or `urgent`. */
  private readonly queued = new Set<string>();
  /** Keys to go first when next queued (in `urgent`, or added first while processed). */
  private readonly first = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private closed = false;

  add(key: string): void {
    if (this.closed || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /**
   * As add, but ahead of the keys queued by add (in order among such keys): a
   * short wake-up (a probe result to report) must not wait behind a queue of
   * slow work. A key already queued moves up.
   */
  addFirst(key: string): void {
    if (this.closed || this.first.has(key)) return;
    this.first.add(key);
    if (this.queued.has(key)) {
      this.urgent.push(key);
      return;
    }
    this.add(key);
  }

  /** Adds `key` after `ms`; an earlier pending delay for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.closed) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Drops the delayed add of `key`, if one is pending. */
  cancelAfter(key: string): void {
    const pending = this.delayed.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.delayed.delete(key);
  }

  /** Resolves with the next key to process, or undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.queued.size > 0) return Promise.resolve(this.take());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` processed; re-queues it if it was added meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  /** Keys waiting to be processed (not counting delayed ones or those being processed). */
  get length(): number {
    return this.queued.size;
  }

  /** Whether `key` has been handed out and not yet marked done. */
  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Keys being processed now. */
  get processingCount(): number {
    return this.processing.size;
  }

  shutdown(): void {
    this.closed = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.first.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    if (this.first.has(key)) this.urgent.push(key);
    else this.items.push(key);
  }

  /** The next queued key (one is); entries left behind by a key that moved up, or was taken already, are skipped. */
  private take(): string {
    let key: string | undefined;
    while (this.urgent.length > 0 && key === undefined) {
      const k = this.urgent.shift()!;
      if (this.queued.has(k)) key = k;
    }
    while (key === undefined) {
      const k = this.items[this.head++];
      if (this.queued.has(k)) key = k;
    }
    // Compact now and then so a long-lived queue does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.queued.delete(key);
    this.dirty.delete(key);
    this.first.delete(key);
    this.processing.add(key);
    return key;
  }
}
