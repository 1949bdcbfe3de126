import type { WebhookEvent } from './webhook-event.js';

export interface PushRefresherOptions {
  /** Checks the repository known by this URL now (SourcePoller.refresh). */
  refresh(repoUrl: string): Promise<unknown>;
  /** A push this soon after the last check (or the last push of a burst) waits for the burst to end. @defaultValue 1000 */
  quietMs?: number;
  /** Longest a push waits while a burst goes on. @defaultValue 30000 (the default poll interval) */
  maxWaitMs?: number;
  /** Told when a check fails. @defaultValue failures are dropped (the poll retries) */
  onError?: (repoUrl: string, err: unknown) => void;
}

interface Slot {
  lastStart: number;
  /** When the first push still waiting arrived. */
  waitingSince?: number;
  timer?: NodeJS.Timeout;
  /** Ends the wait of the check the timer will start (on close, without starting it). */
  cancel?: () => void;
}

/**
 * Turns pushes into repository checks, coalesced per repository: the first
 * push to a quiet repository is checked at once; pushes arriving within
 * `quietMs` of it (or of each other) share one check once the burst has been
 * quiet for `quietMs`, or after `maxWaitMs` at most. A burst of N pushes costs
 * O(1) ls-remote calls, and its last push is still seen: the check starts after it.
 */
export class PushRefresher {
  private readonly slots = new Map<string, Slot>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private closed = false;

  constructor(private readonly options: PushRefresherOptions) {
    this.quietMs = options.quietMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
  }

  /** A verified push or tag event: its repository is checked (now, or at the end of the window). */
  onEvent(event: WebhookEvent): void {
    if (event.kind !== 'push' && event.kind !== 'tag') return;
    for (const url of event.repoUrls) this.request(url);
  }

  request(repoUrl: string): void {
    if (this.closed) return;
    let slot = this.slots.get(repoUrl);
    if (!slot) this.slots.set(repoUrl, (slot = { lastStart: -Infinity }));
    const now = Date.now();
    if (!slot.timer && now - slot.lastStart >= this.quietMs) {
      this.track(this.start(repoUrl, slot));
      return;
    }
    const due = slot;
    if (due.timer) clearTimeout(due.timer);
    else {
      due.waitingSince = now;
      this.track(new Promise<void>((resolve) => (due.cancel = resolve)));
    }
    const wait = Math.max(0, Math.min(this.quietMs, due.waitingSince! + this.maxWaitMs - now));
    due.timer = setTimeout(() => {
      const resolve = due.cancel!;
      due.timer = undefined;
      due.cancel = undefined;
      due.waitingSince = undefined;
      void this.start(repoUrl, due).then(resolve);
    }, wait);
    due.timer.unref();
  }

  /** Resolves once every check asked for so far has run (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Drops the checks still waiting for their window. */
  close(): void {
    this.closed = true;
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
      slot.cancel?.();
    }
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private async start(repoUrl: string, slot: Slot): Promise<void> {
    if (this.closed) return;
    slot.lastStart = Date.now();
    try {
      await this.options.refresh(repoUrl);
    } catch (err) {
      this.options.onError?.(repoUrl, err);
    }
  }
}
