/** What a reconcile asks for next: nothing (done) or another pass after a delay. */
export type ReconcileResult = void | { requeueAfterMs: number };

export interface ReconcileQueueOptions {
  /** First retry delay after a reconcile throws; doubles per failure, with jitter. @defaultValue 500 */
  baseBackoffMs?: number;
  /** @defaultValue 30000 */
  maxBackoffMs?: number;
  /** Told about every thrown error before the retry is scheduled. */
  onError?: (key: string, error: unknown) => void;
}

/**
 * A deduplicating, one-at-a-time queue of keys (`namespace/name`) for a
 * reconcile function. A key added while it is being reconciled runs once more
 * afterwards, so the last change is never missed.
 * (A small local loop until runtime/controllers/reconciler.ts is shared.)
 */
export class ReconcileQueue {
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private running = false;
  private stopped = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly reconcile: (key: string) => Promise<ReconcileResult>,
    private readonly options: ReconcileQueueOptions = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.pending.add(key);
    if (!this.running) this.idle = this.drain();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Stops taking keys and waits for the reconcile in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
    await this.idle;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.pending.size > 0) {
        const key = this.pending.values().next().value as string;
        this.pending.delete(key);
        await this.runOne(key);
      }
    } finally {
      this.running = false;
    }
  }

  private async runOne(key: string): Promise<void> {
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      if (result) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.options.onError?.(key, error);
      const base = Math.min(this.options.maxBackoffMs ?? 30_000, (this.options.baseBackoffMs ?? 500) * 2 ** (failures - 1));
      this.addAfter(key, base / 2 + Math.random() * (base / 2));
    }
  }
}
