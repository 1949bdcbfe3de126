import { backoffDelay } from '../kube/reconcile/backoff.js';

/** What a reconcile returns: done (void) or "look again after N milliseconds". */
export type ReconcileResult = void | { requeueAfterMs: number };

/**
 * A deduplicating work queue for the store's own reconcilers (garbage
 * collector, namespace finalizer). Keys are identities; the reconciler
 * re-reads state, so queuing a key twice costs one pass. Errors back off
 * exponentially (1 s doubling to 60 s).
 */
export class ReconcileQueue<K> {
  private readonly pending = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private scheduled = false;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly reconcile: (key: K) => ReconcileResult,
    private readonly onError: (key: K, err: unknown) => void = () => {},
  ) {}

  enqueue(key: K, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.enqueue(key);
      }, delayMs);
      timer.unref();
      this.timers.add(timer);
      return;
    }
    this.pending.add(key);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.run());
    }
  }

  /** Resolves once no key is pending (delayed requeues do not count). */
  idle(): Promise<void> {
    if (!this.scheduled && this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.release();
  }

  private run(): void {
    this.scheduled = false;
    // Keys enqueued while running are picked up by the next pass, in a later tick.
    while (this.pending.size > 0 && !this.stopped) {
      const keys = [...this.pending];
      this.pending.clear();
      for (const key of keys) {
        if (this.stopped) break;
        try {
          const result = this.reconcile(key);
          this.failures.delete(key);
          if (result) this.enqueue(key, result.requeueAfterMs);
        } catch (err) {
          const n = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, n);
          this.onError(key, err);
          this.enqueue(key, backoffDelay(n - 1, { base: 1000, cap: 60_000 }));
        }
      }
    }
    this.release();
  }

  private release(): void {
    if (this.pending.size > 0 && !this.stopped) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
