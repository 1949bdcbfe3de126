import { StatusError } from '../errors/status-error.js';
import type { KubeObject, OwnerReference } from '../kube/object.js';
import { findByKind } from '../resources/registry.js';
import type { StoreEvent } from './watch-hub.js';
import { ReconcileQueue, type ReconcileResult } from './reconcile-queue.js';
import type { StoreOps } from './store-ops.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** An owner of a kind this runtime does not serve cannot be looked up, so it is never presumed gone. */
function isServed(ref: OwnerReference): boolean {
  return findByKind(ref.apiVersion, ref.kind) !== undefined;
}

function isForegroundDeleting(object: KubeObject): boolean {
  return !!object.metadata.deletionTimestamp && (object.metadata.finalizers ?? []).includes(FOREGROUND_FINALIZER);
}

/**
 * Owner-reference garbage collection, as Kubernetes' garbage collector does it,
 * reconciled per owner uid: dependents of an owner that no longer exists are
 * deleted (or lose the dangling reference if another owner remains); an owner
 * being deleted in the foreground has its dependents deleted first and loses
 * its `foregroundDeletion` finalizer once no blocking dependent is left.
 */
export class GarbageCollector {
  private readonly queue: ReconcileQueue<string>;

  constructor(
    private readonly store: StoreOps,
    onError?: (error: unknown, ownerUid: string) => void,
  ) {
    this.queue = new ReconcileQueue((uid) => this.reconcile(uid), (uid, error) => onError?.(error, uid));
  }

  /** Looks at every owner once: after a restart, dependents of owners deleted meanwhile are collected. */
  start(): void {
    for (const uid of this.store.index.ownerUids()) this.queue.enqueue(uid);
    // An owner whose last dependent went just before a crash still carries the finalizer.
    for (const { object } of this.store.index.all()) if (isForegroundDeleting(object)) this.queue.enqueue(object.metadata.uid!);
  }

  /** Called for every committed change; decides which owners need a look. */
  observe(event: StoreEvent): void {
    const object = event.object;
    const uid = object.metadata.uid!;
    if (event.type === 'DELETED') {
      if (this.store.index.dependents(uid).length > 0) this.queue.enqueue(uid);
      // A foreground-deleting owner may have been waiting for this one.
      for (const ref of object.metadata.ownerReferences ?? []) this.queue.enqueue(ref.uid);
      return;
    }
    if (isForegroundDeleting(object)) this.queue.enqueue(uid);
    for (const ref of object.metadata.ownerReferences ?? []) {
      if (!isServed(ref)) continue;
      const owner = this.store.index.findByUid(ref.uid);
      if (!owner || owner.object.metadata.deletionTimestamp) this.queue.enqueue(ref.uid);
    }
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.queue.stop();
  }

  private reconcile(ownerUid: string): ReconcileResult {
    const owner = this.store.index.findByUid(ownerUid)?.object;
    const dependents = this.store.index.dependents(ownerUid);
    if (owner && !isForegroundDeleting(owner)) return;
    for (const { typeKey, object } of dependents) {
      if (object.metadata.deletionTimestamp) continue;
      const type = this.store.typeOf(typeKey);
      const refs = object.metadata.ownerReferences ?? [];
      if (owner) {
        ignoreNotFound(() => this.store.deleteObject(type, object.metadata.namespace, object.metadata.name!, { propagationPolicy: 'Foreground' }));
        continue;
      }
      if (!refs.some((r) => r.uid === ownerUid && isServed(r))) continue;
      const solid = refs.filter((r) => r.uid !== ownerUid && (!isServed(r) || this.store.index.findByUid(r.uid)));
      if (solid.length > 0) {
        // Another owner still exists: only drop the references to owners that are gone.
        const next = structuredClone(object);
        next.metadata.ownerReferences = solid;
        ignoreNotFound(() => this.store.updateObject(type, next));
      } else {
        ignoreNotFound(() => this.store.deleteObject(type, object.metadata.namespace, object.metadata.name!, { propagationPolicy: 'Background' }));
      }
    }
    if (!owner) return;
    const blocking = this.store.index
      .dependents(ownerUid)
      .filter(({ object }) => object.metadata.ownerReferences?.some((r) => r.uid === ownerUid && r.blockOwnerDeletion));
    if (blocking.length > 0) return; // Their removal requeues this owner.
    const current = this.store.index.findByUid(ownerUid);
    if (!current) return;
    const next = structuredClone(current.object);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND_FINALIZER);
    ignoreNotFound(() => this.store.updateObject(this.store.typeOf(current.typeKey), next));
  }
}

function ignoreNotFound(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}
