import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { badRequest, gone } from '../errors/status-error.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';
import type { FieldSelector } from './field-selector.js';
import type { LabelQuery } from '../kube/label-selector.js';
import { copyOf, rememberJson, storedJson } from './stored-json.js';

/** Events a watch can resume from however old they are (the API server's watch cache keeps at least 100 per resource). */
const MIN_KEPT = 1000;
/**
 * Events older than this keep their objects as deflated JSON text only (see
 * CompactedEvent). Resumed watches and continued lists almost always ask for
 * the last second or two, which stay parsed; an older event replays for one
 * inflate more (~10–30 µs) beside the parse every delivery costs anyway.
 */
const COMPACT_AFTER_MS = 3_000;

/** One committed change, as the store publishes it. */
export interface StoreEvent {
  rv: number;
  typeKey: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before a MODIFIED or DELETED change: tells selector entries and exits apart, and rewinds a paged list. */
  previous?: KubeObject;
}

export interface WatchFilter {
  typeKey: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  labels: LabelQuery;
  fields: FieldSelector;
  /** A resourceVersion to replay from; undefined or '0' for "current state, then changes". */
  resourceVersion?: string;
  bookmarks: boolean;
  /** Gets the one read-only copy of each version that all such watchers share (WatchOptions.sharedObjects). */
  shared?: boolean;
  /** Events of objects in namespaces this refuses are skipped before any copy is made (WatchOptions.onlyInNamespacesWith). */
  wantsNamespace?: (namespace: string) => boolean;
}

/**
 * An event of the window kept as its objects' stored JSON text, deflated: a
 * parsed version, its JSON and the watchers' shared copy cost about three
 * times the text, and under a commit every few seconds the window's superseded
 * pods, ReplicaSets and Deployments were the largest part of the runtime's heap
 * growth. The object's text and its predecessor's are deflated as one stream,
 * so the second (nearly the same) costs little: a pod's pair of ~3.4 kB comes to
 * ~0.8 kB, for ~30 µs of CPU once per event. The bytes are kept as a one-byte
 * string, on the V8 heap, rather than a Buffer (a slice of zlib's 16 kB output
 * chunk, or a malloc'd store of its own). Each read of `object` or `previous`
 * inflates and parses a fresh copy; only replays and continued lists read them.
 */
class CompactedEvent implements StoreEvent {
  readonly rv: number;
  readonly typeKey: string;
  readonly type: StoreEvent['type'];
  /** deflateRaw of the object's JSON text followed by the previous version's, as latin1. */
  private readonly deflated: string;
  /** Length of the object's JSON text; the inflated text beyond it is the previous version's. */
  private readonly objectLength: number;

  constructor(event: StoreEvent) {
    this.rv = event.rv;
    this.typeKey = event.typeKey;
    this.type = event.type;
    const objectJson = storedJson(event.object);
    this.objectLength = objectJson.length;
    this.deflated = deflateRawSync(event.previous ? objectJson + storedJson(event.previous) : objectJson).toString('latin1');
  }

  get object(): KubeObject {
    return parseStored(this.text().slice(0, this.objectLength));
  }

  get previous(): KubeObject | undefined {
    const text = this.text();
    return text.length === this.objectLength ? undefined : parseStored(text.slice(this.objectLength));
  }

  private text(): string {
    return inflateRawSync(Buffer.from(this.deflated, 'latin1')).toString('utf8');
  }
}

function parseStored(json: string): KubeObject {
  const object = JSON.parse(json) as KubeObject;
  rememberJson(object, json);
  return object;
}

interface Watcher extends WatchFilter {
  lastRv: number;
  closed: boolean;
  onEvent: (event: WatchEvent) => void;
}

export interface WatchHubOptions {
  /** The resourceVersion the store had when the hub started; watches from before it are Gone. */
  startRv: number;
  /**
   * How many recent events are kept to replay a watch from a past resourceVersion.
   * @defaultValue 10000
   */
  windowSize?: number;
  /**
   * Events older than this leave the window (beyond the newest `min(windowSize, 1000)`), as the
   * API server's watch cache keeps about 75 s of events: every kept event holds a whole object
   * version (and its predecessor), so a busy store with a count bound alone held tens of MB of
   * old pods, ReplicaSets and Events that no watch would ever replay.
   * @defaultValue 75000
   */
  windowMs?: number;
  /**
   * Interval between BOOKMARK events for watchers that allow them, in milliseconds; 0 disables the timer.
   * @defaultValue 10000
   */
  bookmarkIntervalMs?: number;
}

/**
 * Fans committed changes out to watchers. Deliveries go through one FIFO
 * queue so a watcher that writes from inside its callback cannot make others
 * see events out of order.
 */
export class WatchHub {
  private readonly events: StoreEvent[] = [];
  /** When each event of `events` was published (Date.now()). */
  private readonly times: number[] = [];
  private readonly windowSize: number;
  private readonly windowMs: number;
  /** Every event with rv > windowStart is in `events`. */
  private windowStart: number;
  /** Events before this index are CompactedEvents. */
  private compacted = 0;
  private currentRv: number;
  private readonly watchers = new Set<Watcher>();
  private readonly queue: Array<() => void> = [];
  private draining = false;
  private readonly timer?: NodeJS.Timeout;
  private readonly copies = new WeakMap<KubeObject, KubeObject>();

  constructor(options: WatchHubOptions) {
    this.windowSize = options.windowSize ?? 10_000;
    this.windowMs = options.windowMs ?? 75_000;
    this.windowStart = options.startRv;
    this.currentRv = options.startRv;
    const interval = options.bookmarkIntervalMs ?? 10_000;
    if (interval > 0) {
      this.timer = setInterval(() => this.bookmark(), interval);
      this.timer.unref();
    }
  }

  publish(event: StoreEvent): void {
    this.currentRv = event.rv;
    const now = Date.now();
    this.events.push(event);
    this.times.push(now);
    this.trim(now);
    this.queue.push(() => {
      for (const w of this.watchers) this.deliver(w, event);
    });
    this.drain();
  }

  /** Starts a watch; `snapshot` gives the current objects of the type when no resourceVersion is given. */
  watch(filter: WatchFilter, snapshot: () => KubeObject[], onEvent: (event: WatchEvent) => void): () => void {
    const w: Watcher = { ...filter, lastRv: 0, closed: false, onEvent };
    const from = filter.resourceVersion;
    if (!from || from === '0') {
      const objects = snapshot();
      w.lastRv = this.currentRv;
      // Ahead of anything already queued: those events are older than the snapshot.
      this.queue.unshift(() => {
        for (const object of objects) if (this.matches(w, object)) this.send(w, 'ADDED', object);
      });
    } else {
      if (!/^\d+$/.test(from)) throw badRequest(`invalid resourceVersion "${from}": must be an integer`);
      const rv = Number(from);
      if (rv < this.windowStart) throw gone(`too old resource version: ${rv} (${this.windowStart})`);
      w.lastRv = rv;
      this.queue.unshift(() => {
        for (let i = this.firstAfter(rv); i < this.events.length; i++) this.deliver(w, this.events[i]);
      });
    }
    this.watchers.add(w);
    this.drain();
    return () => {
      w.closed = true;
      this.watchers.delete(w);
    };
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watcher that allows them. */
  bookmark(): void {
    const rv = String(this.currentRv);
    this.queue.push(() => {
      for (const w of this.watchers) {
        if (!w.bookmarks || w.closed) continue;
        this.emit(w, { type: 'BOOKMARK', object: { apiVersion: w.apiVersion, kind: w.kind, metadata: { resourceVersion: rv } } });
      }
    });
    this.drain();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const w of this.watchers) w.closed = true;
    this.watchers.clear();
  }

  /** The events after `rv`, oldest first; undefined when some of them already left the window (etcd's "compacted"). */
  eventsAfter(rv: number): readonly StoreEvent[] | undefined {
    if (rv < this.windowStart) return undefined;
    return this.events.slice(this.firstAfter(rv));
  }

  /** Events in the window now (for tests: bounded by count and age, not by the store's history). */
  get windowLength(): number {
    return this.events.length;
  }

  /** Drops events beyond the count bound or older than windowMs, in chunks so a write is not a memmove of the whole window. */
  private trim(now: number): void {
    const n = this.events.length;
    let drop = n > this.windowSize + Math.ceil(this.windowSize / 10) ? n - this.windowSize : 0;
    const kept = Math.min(this.windowSize, MIN_KEPT);
    if (n > kept && now - this.times[0] > this.windowMs + this.windowMs / 10) {
      const cutoff = now - this.windowMs;
      let old = 0;
      while (old < n - kept && this.times[old] < cutoff) old++;
      drop = Math.max(drop, old);
    }
    if (drop > 0) {
      const dropped = this.events.splice(0, drop);
      this.times.splice(0, drop);
      this.windowStart = dropped[dropped.length - 1].rv;
      this.compacted = Math.max(0, this.compacted - drop);
    }
    // Delivery of these events is long done (the queue drains at each publish); only replays read them now.
    const before = now - COMPACT_AFTER_MS;
    while (this.compacted < this.events.length && this.times[this.compacted] < before) {
      this.events[this.compacted] = new CompactedEvent(this.events[this.compacted]);
      this.compacted++;
    }
  }

  private deliver(w: Watcher, e: StoreEvent): void {
    if (w.closed || e.rv <= w.lastRv) return;
    w.lastRv = e.rv;
    if (e.typeKey !== w.typeKey) return;
    // Read once: a compacted event parses on every read.
    const object = e.object;
    const now = this.matches(w, object);
    if (e.type === 'MODIFIED') {
      // Kubernetes semantics: leaving the selection is a DELETED, entering it an ADDED.
      const previous = e.previous;
      const before = previous !== undefined && this.matches(w, previous);
      if (before && now) this.send(w, 'MODIFIED', object);
      else if (before) this.send(w, 'DELETED', object);
      else if (now) this.send(w, 'ADDED', object);
    } else if (now) {
      this.send(w, e.type, object);
    }
  }

  private matches(w: Watcher, object: KubeObject): boolean {
    if (w.namespace !== undefined && object.metadata.namespace !== w.namespace) return false;
    if (w.wantsNamespace && !w.wantsNamespace(object.metadata.namespace ?? '')) return false;
    return w.labels.matches(object.metadata.labels) && w.fields.matches(object);
  }

  private send(w: Watcher, type: WatchEvent['type'], object: KubeObject): void {
    this.emit(w, { type, object: w.shared ? this.sharedCopy(object) : copyOf(object) });
  }

  /** One copy per stored version for every read-only watcher: a pod's change reaches a dozen controllers, which parsed it a dozen times. */
  private sharedCopy(object: KubeObject): KubeObject {
    let copy = this.copies.get(object);
    if (copy === undefined) {
      copy = copyOf(object);
      this.copies.set(object, copy);
    }
    return copy;
  }

  private emit(w: Watcher, event: WatchEvent): void {
    try {
      w.onEvent(event);
    } catch {
      // A failing watcher must not stop delivery to the others.
    }
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) this.queue.shift()!();
    } finally {
      this.draining = false;
    }
  }

  private firstAfter(rv: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
