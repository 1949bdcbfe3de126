import type { KubeObject, WatchEvent } from '../kube/object.js';
import { controllerRefOf } from './controller-ref.js';

const TOMBSTONE_MS = 5 * 60_000;

function rvOf(obj: KubeObject): number {
  const n = Number(obj.metadata.resourceVersion);
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY;
}

/**
 * A watch-fed copy of all objects of one type, by namespace, so a controller
 * reads thousands of pods without the store copying each of them on every
 * reconcile (an informer's cache). Objects handed out are shared: never
 * mutate them. The controller also writes through what it creates and
 * deletes, so it reads its own writes even before their events arrive;
 * a newer resourceVersion always wins and deleted uids stay deleted.
 * Objects are also indexed by their controller's uid (orphans by namespace),
 * so a controller reads its own children without a pass over the namespace.
 */
export class ObjectCache {
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  private readonly byController = new Map<string, Map<string, KubeObject>>();
  private readonly orphans = new Map<string, Map<string, KubeObject>>();
  private readonly deleted = new Map<string, number>();
  private lastPrune = Date.now();

  /** Replaces the contents with a fresh list (WatchSource.onSync). */
  replaceAll(items: KubeObject[]): void {
    this.byNamespace.clear();
    this.byController.clear();
    this.orphans.clear();
    for (const obj of items) this.put(obj);
  }

  /** Applies a watch event (WatchSource.keysFor). */
  apply(event: WatchEvent): void {
    if (event.type === 'DELETED') this.remove(event.object);
    else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.put(event.object);
  }

  /** Stores `obj` unless a newer version is known or its uid was deleted. */
  put(obj: KubeObject): void {
    const uid = String(obj.metadata.uid);
    if (this.deleted.has(uid)) return;
    const ns = obj.metadata.namespace ?? '';
    let objects = this.byNamespace.get(ns);
    if (!objects) this.byNamespace.set(ns, (objects = new Map()));
    const known = objects.get(uid);
    if (known && rvOf(known) > rvOf(obj)) return;
    if (known) this.unlink(known);
    objects.set(uid, obj);
    this.link(obj);
  }

  /** Records that we asked to delete `obj`: it reads as terminating until its own events say more. */
  markDeleting(obj: KubeObject): void {
    const known = this.byNamespace.get(obj.metadata.namespace ?? '')?.get(String(obj.metadata.uid));
    if (!known || known.metadata.deletionTimestamp) return;
    const deleting = { ...known, metadata: { ...known.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } };
    this.unlink(known);
    this.byNamespace.get(obj.metadata.namespace ?? '')!.set(String(obj.metadata.uid), deleting);
    this.link(deleting);
  }

  remove(obj: KubeObject): void {
    const uid = String(obj.metadata.uid);
    const objects = this.byNamespace.get(obj.metadata.namespace ?? '');
    const known = objects?.get(uid);
    if (known) {
      objects!.delete(uid);
      this.unlink(known);
    }
    const now = Date.now();
    this.deleted.set(uid, now);
    // Forget old tombstones now and then; a uid is never reused.
    if (now - this.lastPrune > TOMBSTONE_MS) {
      this.lastPrune = now;
      for (const [u, at] of this.deleted) if (now - at > TOMBSTONE_MS) this.deleted.delete(u);
    }
  }

  /** The objects of a namespace (shared: read only). */
  list(namespace: string): KubeObject[] {
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  /** The objects whose controller reference names `ownerUid` (shared: read only). */
  controlledBy(ownerUid: string): KubeObject[] {
    return [...(this.byController.get(ownerUid)?.values() ?? [])];
  }

  /** The objects of a namespace without a controller (shared: read only). */
  orphansIn(namespace: string): KubeObject[] {
    return [...(this.orphans.get(namespace)?.values() ?? [])];
  }

  private bucketOf(obj: KubeObject, create: boolean): Map<string, KubeObject> | undefined {
    const ref = controllerRefOf(obj);
    const [index, key] = ref ? [this.byController, ref.uid] : [this.orphans, obj.metadata.namespace ?? ''];
    let bucket = index.get(key);
    if (!bucket && create) index.set(key, (bucket = new Map()));
    return bucket;
  }

  private link(obj: KubeObject): void {
    this.bucketOf(obj, true)!.set(String(obj.metadata.uid), obj);
  }

  private unlink(obj: KubeObject): void {
    const bucket = this.bucketOf(obj, false);
    if (!bucket) return;
    bucket.delete(String(obj.metadata.uid));
    if (bucket.size === 0) {
      const ref = controllerRefOf(obj);
      if (ref) this.byController.delete(ref.uid);
      else this.orphans.delete(obj.metadata.namespace ?? '');
    }
  }
}
