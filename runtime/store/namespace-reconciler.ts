import { StatusError } from '../errors/status-error.js';
import { allResources, resources } from '../resources/registry.js';
import { typeKeyOf } from './object-index.js';
import { ReconcileQueue, type ReconcileResult } from './reconcile-queue.js';
import type { StoreOps } from './store-ops.js';
import type { StoreEvent } from './watch-hub.js';

const NAMESPACES = typeKeyOf(resources.namespaces);

/**
 * Empties a Terminating namespace and then removes it, as Kubernetes'
 * namespace controller does. Objects that take time to go (pods on a node,
 * finalizers) keep the namespace Terminating until they are gone.
 */
export class NamespaceReconciler {
  private readonly queue: ReconcileQueue<string>;

  constructor(
    private readonly store: StoreOps,
    onError?: (error: unknown, namespace: string) => void,
  ) {
    this.queue = new ReconcileQueue((name) => this.reconcile(name), (name, error) => onError?.(error, name));
  }

  start(): void {
    for (const ns of this.store.index.list(NAMESPACES)) {
      if (ns.metadata.deletionTimestamp) this.queue.enqueue(ns.metadata.name!);
    }
  }

  observe(event: StoreEvent): void {
    const meta = event.object.metadata;
    if (event.typeKey === NAMESPACES) {
      if (event.type !== 'DELETED' && meta.deletionTimestamp) this.queue.enqueue(meta.name!);
      return;
    }
    if (event.type === 'DELETED' && meta.namespace) {
      const ns = this.store.index.get(NAMESPACES, '', meta.namespace);
      if (ns?.metadata.deletionTimestamp) this.queue.enqueue(meta.namespace);
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(name: string): ReconcileResult {
    const ns = this.store.index.get(NAMESPACES, '', name);
    if (!ns?.metadata.deletionTimestamp) return;
    for (const type of allResources) {
      if (!type.namespaced) continue;
      for (const object of this.store.index.list(typeKeyOf(type), name)) {
        if (object.metadata.deletionTimestamp) continue;
        try {
          this.store.deleteObject(type, name, object.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err;
        }
      }
    }
    if (this.store.index.countInNamespace(name) > 0) {
      // Removals requeue us; the timer covers anything that goes without an event we watch.
      return { requeueAfterMs: 5000 };
    }
    this.store.removeNamespace(name);
  }
}
