import type { ResourceType } from '../resources/registry.js';
import type { KubeObject } from '../kube/object.js';

/** `apps/deployments`, `/pods`: identifies a resource type inside the store. */
export function typeKeyOf(type: ResourceType): string {
  return `${type.group}/${type.plural}`;
}

export interface IndexedObject {
  typeKey: string;
  object: KubeObject;
}

/**
 * The in-memory copy of every stored object, indexed by type and namespace
 * (so listing one namespace is not a scan of everything), by uid, and by the
 * owner uids named in ownerReferences (for the garbage collector).
 * Stored objects are never mutated: every write replaces the object.
 */
/** One type in one namespace; the sorted name list is kept until a name comes or goes. */
interface Bucket {
  objects: Map<string, KubeObject>;
  sorted?: string[];
}

function sortedNames(bucket: Bucket): string[] {
  return (bucket.sorted ??= [...bucket.objects.keys()].sort());
}

export class ObjectIndex {
  private readonly byType = new Map<string, Map<string, Bucket>>();
  private readonly byUid = new Map<string, IndexedObject>();
  private readonly byOwner = new Map<string, Map<string, IndexedObject>>();

  get(typeKey: string, namespace: string, name: string): KubeObject | undefined {
    return this.byType.get(typeKey)?.get(namespace)?.objects.get(name);
  }

  /** Objects of one type, in one namespace or all, sorted by namespace then name as Kubernetes lists them. */
  list(typeKey: string, namespace?: string): KubeObject[] {
    const namespaces = this.byType.get(typeKey);
    if (!namespaces) return [];
    const out: KubeObject[] = [];
    const buckets = namespace !== undefined ? [namespaces.get(namespace)] : [...namespaces.keys()].sort().map((ns) => namespaces.get(ns));
    for (const bucket of buckets) {
      if (!bucket) continue;
      for (const name of sortedNames(bucket)) out.push(bucket.objects.get(name)!);
    }
    return out;
  }

  /** Whether `namespace` holds any object of the type (an emptied bucket is dropped). */
  holds(typeKey: string, namespace: string): boolean {
    return this.byType.get(typeKey)?.has(namespace) ?? false;
  }

  /** How many objects of any type live in `namespace`. */
  countInNamespace(namespace: string): number {
    let n = 0;
    for (const namespaces of this.byType.values()) n += namespaces.get(namespace)?.objects.size ?? 0;
    return n;
  }

  findByUid(uid: string): IndexedObject | undefined {
    return this.byUid.get(uid);
  }

  /** Objects whose ownerReferences name `ownerUid`. */
  dependents(ownerUid: string): IndexedObject[] {
    return [...(this.byOwner.get(ownerUid)?.values() ?? [])];
  }

  /** Every stored object, in no particular order. */
  *all(): IterableIterator<IndexedObject> {
    for (const [typeKey, namespaces] of this.byType) {
      for (const bucket of namespaces.values()) for (const object of bucket.objects.values()) yield { typeKey, object };
    }
  }

  /** Every uid that some object names as its owner. */
  ownerUids(): string[] {
    return [...this.byOwner.keys()];
  }

  put(typeKey: string, object: KubeObject): void {
    const ns = object.metadata.namespace ?? '';
    const name = object.metadata.name!;
    let namespaces = this.byType.get(typeKey);
    if (!namespaces) this.byType.set(typeKey, (namespaces = new Map()));
    let bucket = namespaces.get(ns);
    if (!bucket) namespaces.set(ns, (bucket = { objects: new Map() }));
    const previous = bucket.objects.get(name);
    if (previous) this.unlink(previous);
    else bucket.sorted = undefined;
    bucket.objects.set(name, object);
    this.link({ typeKey, object });
  }

  remove(typeKey: string, namespace: string, name: string): void {
    const bucket = this.byType.get(typeKey)?.get(namespace);
    const previous = bucket?.objects.get(name);
    if (!bucket || !previous) return;
    bucket.objects.delete(name);
    bucket.sorted = undefined;
    if (bucket.objects.size === 0) this.byType.get(typeKey)!.delete(namespace);
    this.unlink(previous);
  }

  private link(entry: IndexedObject): void {
    const uid = entry.object.metadata.uid;
    if (uid) this.byUid.set(uid, entry);
    for (const ref of entry.object.metadata.ownerReferences ?? []) {
      let deps = this.byOwner.get(ref.uid);
      if (!deps) this.byOwner.set(ref.uid, (deps = new Map()));
      deps.set(uid!, entry);
    }
  }

  private unlink(object: KubeObject): void {
    const uid = object.metadata.uid;
    if (uid) this.byUid.delete(uid);
    for (const ref of object.metadata.ownerReferences ?? []) {
      const deps = this.byOwner.get(ref.uid);
      if (!deps) continue;
      deps.delete(uid!);
      if (deps.size === 0) this.byOwner.delete(ref.uid);
    }
  }
}
