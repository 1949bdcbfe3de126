import { resources } from '../resources/registry.js';
import type { KubeObject } from '../kube/object.js';
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
 * --event-ttl (1 h) does, and the oldest beyond `maxPerNamespace` in a
 * namespace: every rollout records a handful of events for each new pod, and
 * an hour of commits every few seconds kept over 10000 of them in memory.
 */
export class EventReaper {
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly store: StoreOps,
    private readonly ttlSeconds: number,
    intervalMs: number,
    private readonly maxPerNamespace = Number.POSITIVE_INFINITY,
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.sweep(), intervalMs);
      this.timer.unref();
    }
  }

  /** Deletes expired events, and the oldest of namespaces over the cap, now; returns how many went. */
  sweep(now = Date.now()): number {
    const cutoff = now - this.ttlSeconds * 1000;
    const kept = new Map<string, Array<{ event: KubeObject; seen: number }>>();
    let removed = 0;
    for (const event of this.store.index.list(EVENTS)) {
      const seen = lastSeen(event);
      if (seen < cutoff) {
        if (this.remove(event)) removed++;
        continue;
      }
      const ns = event.metadata.namespace ?? '';
      const list = kept.get(ns);
      if (list) list.push({ event, seen });
      else kept.set(ns, [{ event, seen }]);
    }
    for (const list of kept.values()) {
      if (list.length <= this.maxPerNamespace) continue;
      list.sort((a, b) => a.seen - b.seen);
      for (const { event } of list.slice(0, list.length - this.maxPerNamespace)) if (this.remove(event)) removed++;
    }
    return removed;
  }

  private remove(event: KubeObject): boolean {
    try {
      this.store.deleteObject(resources.events, event.metadata.namespace, event.metadata.name!);
      return true;
    } catch {
      // Gone meanwhile, or the store is closing: the next sweep sees.
      return false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
