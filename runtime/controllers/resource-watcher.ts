import type { Cluster } from '../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';
import type { ResourceType } from '../resources/registry.js';
import { backoffDelay } from '../kube/reconcile/backoff.js';
import type { ReconcilerLogger } from '../kube/reconcile/reconcile-loop.js';

/** Where woken keys go (a ReconcileLoop). */
export interface KeySink {
  enqueue(key: string): void;
}

/** A type whose changes wake keys of the reconciler. */
export interface WatchSource {
  type: ResourceType;
  /**
   * The keys a change to this object should reconcile. Called for watch
   * events, and with synthetic ADDED events for every object after a relist.
   * A watch event's object is shared with the other controllers' watches: read it, never mutate it.
   */
  keysFor(event: WatchEvent): string[] | Promise<string[]>;
  /**
   * Called with every object of the type after each list (the first one and
   * each relist), before any of its events: lets a source keep a cache
   * (see ObjectCache). Not called for the primary type.
   */
  onSync?(items: KubeObject[]): void;
  /** Changes outside namespaces holding an object of this type wake nothing (WatchOptions.onlyInNamespacesWith). */
  onlyInNamespacesWith?: ResourceType;
}

/**
 * Keeps one watch open on a type: lists, watches from the list's
 * resourceVersion, and on Gone or an ERROR event relists and starts over,
 * so no change is missed for long.
 */
export class ResourceWatcher {
  private cancel: (() => void) | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly source: WatchSource,
    private readonly queue: KeySink,
    private readonly log: ReconcilerLogger,
    private readonly name: string,
    /** For the primary type: list and enqueue everything; returns the list's resourceVersion. */
    private readonly listPrimary: (() => Promise<string>) | undefined,
  ) {}

  async start(): Promise<void> {
    await this.establish(true);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.cancel?.();
    this.cancel = undefined;
  }

  private async establish(initial: boolean): Promise<void> {
    if (this.stopped) return;
    try {
      const rv = await this.relist(initial);
      if (this.stopped) return;
      const cancel = await this.cluster.watch(this.source.type, { resourceVersion: rv, sharedObjects: true, onlyInNamespacesWith: this.source.onlyInNamespacesWith }, (event) => this.onEvent(event));
      if (this.stopped) {
        cancel();
        return;
      }
      this.cancel = cancel;
      this.failures = 0;
    } catch (err) {
      if (initial) throw err;
      this.scheduleRestart(err);
    }
  }

  private async relist(initial: boolean): Promise<string> {
    if (this.listPrimary) return this.listPrimary();
    const listed = await this.cluster.list(this.source.type);
    this.source.onSync?.(listed.items);
    // At start the primary list covers everything; after a lost watch, wake whatever the missed changes touched.
    if (!initial) for (const object of listed.items) this.wake({ type: 'ADDED', object });
    return listed.resourceVersion;
  }

  private onEvent(event: WatchEvent): void {
    if (this.stopped) return;
    if (event.type === 'BOOKMARK') return;
    if (event.type === 'ERROR') {
      this.cancel?.();
      this.cancel = undefined;
      this.scheduleRestart(event.object);
      return;
    }
    this.wake(event);
  }

  private wake(event: WatchEvent): void {
    try {
      const keys = this.source.keysFor(event);
      if (Array.isArray(keys)) for (const k of keys) this.queue.enqueue(k);
      else
        keys.then(
          (ks) => ks.forEach((k) => this.queue.enqueue(k)),
          (err) => this.log.warn({ err, reconciler: this.name }, 'mapping a watch event to keys failed'),
        );
    } catch (err) {
      this.log.warn({ err, reconciler: this.name }, 'mapping a watch event to keys failed');
    }
  }

  private scheduleRestart(why: unknown): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.failures++, { base: 50, cap: 5_000 });
    this.log.debug({ why, type: this.source.type.plural, reconciler: this.name }, 'watch lost; relisting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.establish(false);
    }, delay);
    this.retryTimer.unref();
  }
}
