import { resources } from '../resources/registry.js';
import type { KubeObject } from '../objects/types.js';
import { typeKeyOf } from './object-index.js';
import type { StoreOps } from './store-ops.js';

const EVENTS = typeKeyOf(resources.events);

function lastSeen(event: KubeObject): number {
  const times = [event.lastTimestamp, event.eventTime, event.metadata.creationTimestamp]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  return times.length > 0 ? Math.max(...times) : 0;
}

/**
 * Deletes core Events not seen for `ttlSeconds`, as the API server's
 * --event-ttl (1 h) does, so recorded events do not grow the store forever.
 */
export class EventReaper {
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly store: StoreOps,
    private readonly ttlSeconds: number,
    intervalMs: number,
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.sweep(), intervalMs);
      this.timer.unref();
    }
  }

  /** Deletes expired events now; returns how many went. */
  sweep(now = Date.now()): number {
    const cutoff = now - this.ttlSeconds * 1000;
    let removed = 0;
    for (const event of this.store.index.list(EVENTS)) {
      if (lastSeen(event) >= cutoff) continue;
      try {
        this.store.deleteObject(resources.events, event.metadata.namespace, event.metadata.name!);
        removed++;
      } catch {
        // Gone meanwhile, or the store is closing: the next sweep sees.
      }
    }
    return removed;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
