import { isDeepStrictEqual } from 'node:util';
import { alreadyExists, conflict, forbidden, notFound } from '../errors/status-error.js';
import type { Cluster, DeleteOptions, ListJsonResult, ListOptions, ListResult, UpdateOptions, WatchOptions } from '../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';
import { allResources, apiVersionOf, qualifiedName, resources, type ResourceType } from '../resources/registry.js';
import { parseFieldSelector } from './field-selector.js';
import { EventReaper } from './event-reaper.js';
import { GarbageCollector } from './garbage-collector.js';
import { parseLabelSelector } from './label-selector.js';
import { NamespaceReconciler } from './namespace-reconciler.js';
import { ObjectIndex, typeKeyOf } from './object-index.js';
import { timestamp } from './object-rules.js';
import { planDeletion } from './plan-deletion.js';
import { prepareCreate } from './prepare-create.js';
import { isReadyToRemove, prepareUpdate } from './prepare-update.js';
import { ServiceAllocator } from './service-allocator.js';
import { SqliteStore } from './sqlite-store.js';
import { GroupCommit } from './group-commit.js';
import type { StoreOps } from './store-ops.js';
import { answerCopyOf, copyOf, storedJson } from './stored-json.js';
import { decodeContinue, expiredContinue, objectsAt, pageOf } from './list-pages.js';
import { WatchHub, type StoreEvent } from './watch-hub.js';

export interface LocalClusterOptions {
  /**
   * Directory holding `store.db`; absent keeps everything in memory only.
   * @defaultValue undefined
   */
  stateDir?: string;
  /**
   * Encrypt every stored Secret under a new key, then forget the old ones.
   * @defaultValue false
   */
  rotateEncryptionKey?: boolean;
  /**
   * Recent events kept to resume watches from a past resourceVersion.
   * @defaultValue 10000
   */
  watchWindow?: number;
  /**
   * Events older than this leave the watch window (see WatchHubOptions.windowMs).
   * @defaultValue 75000
   */
  watchWindowMs?: number;
  /**
   * Interval of BOOKMARK events for watches that allow them, in milliseconds; 0 sends them only on `bookmark()`.
   * @defaultValue 10000
   */
  bookmarkIntervalMs?: number;
  /**
   * Told about failures of the garbage collector and namespace finalizer, which retry with backoff.
   * @defaultValue writes a line to stderr
   */
  onBackgroundError?: (error: unknown, what: string) => void;
  /**
   * Core Events not updated for this long are deleted, as the API server's --event-ttl does.
   * @defaultValue 3600
   */
  eventTtlSeconds?: number;
  /**
   * At most this many core Events per namespace; the sweep (every minute) deletes the least recently seen beyond it.
   * @defaultValue 1000
   */
  maxEventsPerNamespace?: number;
}

/** The built-in runtime's object store, with Kubernetes object semantics. */
export interface LocalCluster extends Cluster {
  close(): Promise<void>;
  /** The resourceVersion of the latest committed write. */
  currentResourceVersion(): string;
  /** Sends a BOOKMARK now to every watch that allows them. */
  bookmark(): void;
  /** Resolves once the garbage collector and namespace finalizer have no pending work (for tests and shutdown). */
  idle(): Promise<void>;
  /** Deletes expired Events and those over the per-namespace cap now (a timer does it every minute); returns how many went. */
  expireEvents(now?: number): number;
  /** New Services get ClusterIPs from `cidr` from now on (the kernel's service range); stored ones keep theirs. */
  useServiceRange(cidr: string): void;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Kubernetes' NamespaceLifecycle admission refuses to delete these. */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const NAMESPACES = typeKeyOf(resources.namespaces);
const SERVICES = typeKeyOf(resources.services);

export async function openLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const cluster = new StoreCluster(options);
  cluster.start();
  return cluster;
}

class StoreCluster implements LocalCluster, StoreOps {
  readonly index = new ObjectIndex();
  private rv = 0;
  /** With a state dir: writes reach disk, watchers and writers a turn later, together. */
  private readonly commits?: GroupCommit;
  private readonly hub: WatchHub;
  private readonly allocator = new ServiceAllocator();
  private readonly types = new Map(allResources.map((t) => [typeKeyOf(t), t]));
  private readonly gc: GarbageCollector;
  private readonly namespaces: NamespaceReconciler;
  private readonly events: EventReaper;
  private closed = false;

  useServiceRange(cidr: string): void {
    this.allocator.useRange(cidr);
  }

  constructor(options: LocalClusterOptions) {
    if (options.stateDir) {
      const sqlite = new SqliteStore(options.stateDir, { rotateKey: options.rotateEncryptionKey });
      try {
        const { rows, rv } = sqlite.load();
        for (const row of rows) {
          this.index.put(row.typeKey, row.object);
          if (row.typeKey === SERVICES) this.allocator.adopt(row.object);
        }
        this.rv = rv;
      } catch (err) {
        sqlite.close();
        throw err;
      }
      this.commits = new GroupCommit(sqlite, (event) => this.publish(event));
    }
    this.hub = new WatchHub({ startRv: this.rv, windowSize: options.watchWindow, windowMs: options.watchWindowMs, bookmarkIntervalMs: options.bookmarkIntervalMs });
    const report = options.onBackgroundError ?? ((error, what) => process.stderr.write(`baton store: ${what}: ${String(error)}\n`));
    this.gc = new GarbageCollector(this, (error, uid) => report(error, `garbage collection of dependents of ${uid}`));
    this.namespaces = new NamespaceReconciler(this, (error, name) => report(error, `emptying namespace ${name}`));
    this.events = new EventReaper(this, options.eventTtlSeconds ?? 3600, 60_000, options.maxEventsPerNamespace ?? 1000);
  }

  start(): void {
    for (const name of SYSTEM_NAMESPACES) {
      if (!this.index.get(NAMESPACES, '', name)) {
        this.createObject(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      }
    }
    this.gc.start();
    this.namespaces.start();
  }

  async get(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject> {
    const object = await this.find(type, namespace, name);
    if (!object) throw notFound(qualifiedName(type), name);
    return object;
  }

  async find(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const object = await this.stored(type, namespace, name);
    return object && copyOf(object);
  }

  async getJson(type: ResourceType, namespace: string | undefined, name: string): Promise<string> {
    const object = await this.stored(type, namespace, name);
    if (!object) throw notFound(qualifiedName(type), name);
    return storedJson(object);
  }

  private async stored(type: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    await this.commits?.settled();
    return this.index.get(typeKeyOf(type), type.namespaced ? (namespace ?? 'default') : '', name);
  }

  async list(type: ResourceType, options: ListOptions = {}): Promise<ListResult> {
    return this.select(type, options, copyOf);
  }

  async listJson(type: ResourceType, options: ListOptions = {}): Promise<ListJsonResult> {
    return this.select(type, options, storedJson);
  }

  /** The stored objects a list selects, each handed out as `give` makes it (a copy, or its JSON text). */
  private async select<T>(type: ResourceType, options: ListOptions, give: (object: KubeObject) => T): Promise<{ items: T[] } & Omit<ListResult, 'items'>> {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector);
    const namespace = type.namespaced ? options.namespace || undefined : undefined;
    const typeKey = typeKeyOf(type);
    await this.commits?.settled();
    const matches = (o: KubeObject) => (namespace === undefined || o.metadata.namespace === namespace) && labels.matches(o.metadata.labels) && fields.matches(o);
    if (!options.limit && !options.continue) {
      return { items: this.index.list(typeKey, namespace).filter(matches).map(give), resourceVersion: String(this.rv) };
    }
    // A continued list reads the store as it was at the first page's resourceVersion, as etcd does.
    const token = options.continue ? decodeContinue(options.continue) : undefined;
    let rv = this.rv;
    let objects = this.index.list(typeKey, namespace);
    if (token && token.rv > 0) {
      const later = this.hub.eventsAfter(token.rv);
      if (!later) throw expiredContinue(token.start);
      rv = token.rv;
      objects = objectsAt(objects, later, typeKey);
    }
    const countRemaining = !options.labelSelector && !options.fieldSelector;
    const page = pageOf(objects.filter(matches), token?.start, options.limit ?? 0, rv, countRemaining);
    return { ...page, items: page.items.map(give), resourceVersion: String(rv) };
  }

  async create(type: ResourceType, object: KubeObject): Promise<KubeObject> {
    return this.acknowledged(this.createObject(type, object));
  }

  async update(type: ResourceType, object: KubeObject, options: UpdateOptions = {}): Promise<KubeObject> {
    return this.acknowledged(this.updateObject(type, object, options));
  }

  async createJson(type: ResourceType, object: KubeObject): Promise<string> {
    return this.acknowledgedJson(this.createObject(type, object));
  }

  async updateJson(type: ResourceType, object: KubeObject, options: UpdateOptions = {}): Promise<string> {
    return this.acknowledgedJson(this.updateObject(type, object, options));
  }

  async delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    return this.acknowledged(this.deleteObject(type, namespace, name, options));
  }

  /** A write is answered once it is on disk (an unchanged object may still wait for an earlier write of this turn). */
  private async acknowledged(object: KubeObject): Promise<KubeObject> {
    await this.commits?.committed();
    return answerCopyOf(object);
  }

  /** As acknowledged, answered as the stored JSON text. */
  private async acknowledgedJson(object: KubeObject): Promise<string> {
    await this.commits?.committed();
    return storedJson(object);
  }

  async watch(type: ResourceType, options: WatchOptions, onEvent: (event: WatchEvent) => void): Promise<() => void> {
    const typeKey = typeKeyOf(type);
    const namespace = type.namespaced ? options.namespace || undefined : undefined;
    // Nothing staged: the snapshot and the hub's resourceVersion then agree.
    await this.commits?.settled();
    return this.hub.watch(
      {
        typeKey,
        apiVersion: apiVersionOf(type),
        kind: type.kind,
        namespace,
        labels: parseLabelSelector(options.labelSelector),
        fields: parseFieldSelector(options.fieldSelector),
        resourceVersion: options.resourceVersion,
        bookmarks: options.allowWatchBookmarks === true,
        shared: options.sharedObjects === true,
        wantsNamespace: options.onlyInNamespacesWith && this.namespacesHolding(typeKeyOf(options.onlyInNamespacesWith)),
      },
      () => this.index.list(typeKey, namespace),
      onEvent,
    );
  }

  /** Asked as each event is delivered, so it sees the store as it is then. */
  private namespacesHolding(typeKey: string): (namespace: string) => boolean {
    return (namespace) => this.index.holds(typeKey, namespace);
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  bookmark(): void {
    this.hub.bookmark();
  }

  expireEvents(now?: number): number {
    return this.events.sweep(now);
  }

  async idle(): Promise<void> {
    // Each collector can give the other work; settle until neither has any.
    for (let i = 0; i < 100; i++) {
      const before = this.rv;
      await this.gc.idle();
      await this.namespaces.idle();
      await new Promise((resolve) => setImmediate(resolve));
      if (this.rv === before) return;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commits?.flush();
    this.closed = true;
    this.events.stop();
    this.gc.stop();
    this.namespaces.stop();
    this.hub.close();
    this.commits?.close();
  }

  typeOf(typeKey: string): ResourceType {
    // Custom resources come and go with their CRDs after the store opened.
    const type = this.types.get(typeKey) ?? allResources.find((t) => typeKeyOf(t) === typeKey);
    if (!type) throw new Error(`unknown resource type ${typeKey}`);
    return type;
  }

  createObject(type: ResourceType, input: KubeObject): KubeObject {
    this.assertOpen();
    const typeKey = typeKeyOf(type);
    const object = prepareCreate(type, input, (ns, name) => this.index.get(typeKey, ns, name) !== undefined);
    const namespace = object.metadata.namespace ?? '';
    const name = object.metadata.name!;
    if (type.namespaced) this.assertNamespaceAccepts(qualifiedName(type), name, namespace);
    if (this.index.get(typeKey, namespace, name)) throw alreadyExists(qualifiedName(type), name);
    if (typeKey === SERVICES) this.allocator.assign(object);
    try {
      return this.commitPut(typeKey, object, 'ADDED');
    } catch (err) {
      if (typeKey === SERVICES) this.allocator.release(object);
      throw err;
    }
  }

  updateObject(type: ResourceType, input: KubeObject, options: UpdateOptions = {}): KubeObject {
    this.assertOpen();
    const typeKey = typeKeyOf(type);
    const name = input.metadata?.name ?? '';
    const existing = this.index.get(typeKey, type.namespaced ? input.metadata?.namespace || 'default' : '', name);
    if (!existing) throw notFound(qualifiedName(type), name);
    const next = prepareUpdate(type, input, existing, options);
    // Before the comparison: a PUT that omits the allocated ClusterIP/NodePorts changes nothing.
    if (typeKey === SERVICES) this.allocator.assign(next, existing);
    if (isDeepStrictEqual(next, existing)) return existing;
    if (isReadyToRemove(next)) return this.commitRemove(typeKey, next);
    return this.commitPut(typeKey, next, 'MODIFIED', existing);
  }

  deleteObject(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    this.assertOpen();
    const resource = qualifiedName(type);
    const typeKey = typeKeyOf(type);
    const existing = this.index.get(typeKey, type.namespaced ? namespace || 'default' : '', name);
    if (!existing) throw notFound(resource, name);
    const meta = existing.metadata;
    const pre = options.preconditions ?? {};
    if (pre.uid && pre.uid !== meta.uid) {
      throw conflict(resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
    }
    if (typeKey === NAMESPACES) return this.beginNamespaceDeletion(existing);
    if (options.propagationPolicy === 'Orphan') this.orphanDependents(existing);
    const plan = planDeletion(type, existing, options, this.index.dependents(meta.uid!).length > 0);
    if (plan === 'remove') return this.commitRemove(typeKey, existing);
    if (isDeepStrictEqual(plan, existing)) return existing;
    return this.commitPut(typeKey, plan, 'MODIFIED', existing);
  }

  removeNamespace(name: string): void {
    const ns = this.index.get(NAMESPACES, '', name);
    if (!ns) return;
    if (!ns.metadata.finalizers?.length) {
      this.commitRemove(NAMESPACES, ns);
      return;
    }
    // Emptied, but someone else's finalizer holds it: the update that drops that finalizer removes it.
    if (!ns.spec?.finalizers?.length) return;
    const next = structuredClone(ns);
    next.spec.finalizers = [];
    this.commitPut(NAMESPACES, next, 'MODIFIED', ns);
  }

  private beginNamespaceDeletion(existing: KubeObject): KubeObject {
    const name = existing.metadata.name!;
    if (IMMORTAL_NAMESPACES.has(name)) throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    if (existing.metadata.deletionTimestamp) return existing;
    const next = structuredClone(existing);
    next.metadata.deletionTimestamp = timestamp();
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return this.commitPut(NAMESPACES, next, 'MODIFIED', existing);
  }

  private orphanDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid!;
    for (const { typeKey, object } of this.index.dependents(uid)) {
      const next = structuredClone(object);
      const refs = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (refs.length > 0) next.metadata.ownerReferences = refs;
      else delete next.metadata.ownerReferences;
      this.updateObject(this.typeOf(typeKey), next);
    }
  }

  private assertNamespaceAccepts(resource: string, name: string, namespace: string): void {
    const ns = this.index.get(NAMESPACES, '', namespace);
    if (!ns) throw notFound('namespaces', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(`${resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the local cluster store is closed');
    if (this.commits?.failed) throw this.commits.failed;
  }

  private commitPut(typeKey: string, object: KubeObject, type: 'ADDED' | 'MODIFIED', previous?: KubeObject): KubeObject {
    const rv = this.rv + 1;
    object.metadata.resourceVersion = String(rv);
    this.rv = rv;
    this.index.put(typeKey, object);
    this.stage({ rv, typeKey, type, object, previous });
    return object;
  }

  private commitRemove(typeKey: string, object: KubeObject): KubeObject {
    const rv = this.rv + 1;
    const final: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    const namespace = object.metadata.namespace ?? '';
    this.rv = rv;
    const stored = this.index.get(typeKey, namespace, object.metadata.name!);
    this.index.remove(typeKey, namespace, object.metadata.name!);
    if (typeKey === SERVICES) {
      if (stored) this.allocator.release(stored);
      this.allocator.release(object);
    }
    this.stage({ rv, typeKey, type: 'DELETED', object: final, previous: stored });
    return final;
  }

  private stage(event: StoreEvent): void {
    if (this.commits) this.commits.stage(event);
    else this.publish(event);
  }

  private publish(event: StoreEvent): void {
    this.hub.publish(event);
    this.gc.observe(event);
    this.namespaces.observe(event);
  }
}
