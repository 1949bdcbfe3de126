import type { ResourceType } from '../resources/registry.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';

export interface ListOptions {
  /** Only this namespace; all namespaces when absent. */
  namespace?: string;
  /** Kubernetes label selector syntax (`a=b,c!=d,e in (f,g),!h`). */
  labelSelector?: string;
  /** Kubernetes field selector syntax (`metadata.name=x,status.phase!=Running`). */
  fieldSelector?: string;
  /** At most this many items, the rest behind `continue`; 0 or absent for all. */
  limit?: number;
  /** A ListResult's `continue`: the next page of that list, as it was then (410 Expired once the store's window passed it). */
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  /** The store's resourceVersion at the time of the list; start a watch from it. */
  resourceVersion: string;
  /** Set when `limit` cut the list: pass it back as ListOptions.continue. */
  continue?: string;
  /** Items after this page, when known (lists without selectors). */
  remainingItemCount?: number;
}

/** A list whose items are stored JSON texts (see Cluster.listJson). */
export interface ListJsonResult extends Omit<ListResult, 'items'> {
  items: string[];
}

export interface WatchOptions extends ListOptions {
  /** Deliver events after this resourceVersion; absent or '0' means "now, starting with ADDED for every object". */
  resourceVersion?: string;
  /** Send periodic BOOKMARK events carrying the current resourceVersion. */
  allowWatchBookmarks?: boolean;
  /**
   * The callback only reads event objects (an informer feeding a cache): such
   * watchers share one copy of each object version instead of one copy each,
   * so they must never mutate it.
   * @defaultValue false
   */
  sharedObjects?: boolean;
  /**
   * In-process hint: the watcher cares only for objects in namespaces that
   * hold an object of this type when the event is delivered (the quota
   * controller, for namespaces with a ResourceQuota), so the store may skip
   * the others without copying them. A cluster may ignore it and send all.
   * @defaultValue undefined (every namespace)
   */
  onlyInNamespacesWith?: ResourceType;
}

export interface DeleteOptions {
  /** Background (default for most kinds), Foreground or Orphan. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** 0 forces immediate removal of a pod; absent uses the pod's terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface UpdateOptions {
  /** Write only `status` (true) or everything but `status` (false, the default) — as Kubernetes' status subresource. */
  status?: boolean;
  /**
   * Write the object and its `status` together (with `status` unset), as Kubernetes' `pods/binding` sets a
   * pod's node and its PodScheduled condition in one write.
   * @defaultValue false
   */
  withStatus?: boolean;
  /** Name recorded in managedFields for this writer. */
  fieldManager?: string;
}

/**
 * The runtime's API as the in-process controllers see it. It assumes valid
 * input (the HTTP layer validates) and applies Kubernetes object semantics:
 * uid, resourceVersion, generation, creationTimestamp, optimistic concurrency,
 * finalizers, graceful pod deletion and owner-reference garbage collection.
 * Every method throws a StatusError (NotFound, AlreadyExists, Conflict, Gone…).
 */
export interface Cluster {
  get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject>;
  /**
   * The object, or undefined where `get` would throw NotFound: a lookup that often misses (an apply that
   * creates) then builds no error. Use it through `getIfExists`, which falls back to `get`.
   * @defaultValue absent (wrappers that change what `get` returns leave it out)
   */
  find?(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(type: ResourceType, options?: ListOptions): Promise<ListResult>;
  /**
   * What `get` and `list` answer, each object as its stored JSON text: the API sends those bytes
   * instead of parsing a copy of each object and stringifying it again.
   * @defaultValue absent (wrappers that change what `get` or `list` return leave them out)
   */
  getJson?(type: ResourceType, namespace: string | undefined, name: string): Promise<string>;
  listJson?(type: ResourceType, options?: ListOptions): Promise<ListJsonResult>;
  create(type: ResourceType, object: KubeObject): Promise<KubeObject>;
  /** Replaces the object; a stale metadata.resourceVersion fails with Conflict. An absent one is last-writer-wins. */
  update(type: ResourceType, object: KubeObject, options?: UpdateOptions): Promise<KubeObject>;
  /**
   * What `create` and `update` write, answered as the written object's stored JSON text: the API sends
   * those bytes instead of parsing a copy of the object first.
   * @defaultValue absent (wrappers that change what `create` or `update` return leave them out)
   */
  createJson?(type: ResourceType, object: KubeObject): Promise<string>;
  updateJson?(type: ResourceType, object: KubeObject, options?: UpdateOptions): Promise<string>;
  /** Returns the object as it was deleted, or with deletionTimestamp set when deletion is graceful or blocked by finalizers. */
  delete(type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject>;
  /** Calls `onEvent` for every change until the returned function is called. Throws Gone (410) for a too-old resourceVersion. */
  watch(type: ResourceType, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<() => void>;
}
