import type { KubernetesObject } from '@kubernetes/client-node';
import { PatchStrategy } from '../clusters/kube-client.js';
import type { AppSpec } from '../apps/app-spec.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import type { AppliedObject, ApplyAction } from './applied-object.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import { sortForApply } from './apply-order.js';
import { kindKey, kindsBroughtBy, waitEstablished } from './crd-kinds.js';
import { callCluster, callClusterOrAbsent, type CallContext } from '../clusters/cluster-call.js';
import type { ClusterRequestError } from '../clusters/cluster-request-error.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';
import { describeObject, refOf } from '../clusters/object-ref.js';
import { planPrune, pruneObjects, type PrunePlan } from './prune-objects.js';
import { APP_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../apps/track-objects.js';
import { applyRun, kindRuns } from './apply-runs.js';
import { contentDigestOf, keyOf, liveDigests } from './live-digests.js';

/** The field manager of every baton write; it owns every field it renders. */
export const FIELD_MANAGER = 'baton';

/**
 * Objects of one kind applied at once: enough to hide round trips, few enough not to flood a small API server.
 * 16 rather than 8: both sides handle more requests per event-loop turn (and the runtime commits more writes per transaction); a
 * 5,000-object app's sync, 4 paired rounds on a loaded machine: runtime 1.65 → 1.42 ms CPU per
 * object, controller + worker 2.2 → 1.87.
 */
const CONCURRENCY = 16;

/** What applying needs to know of an app. */
export type ApplyApp = Pick<AppSpec, 'name' | 'namespace'> & { syncPolicy: Pick<AppSpec['syncPolicy'], 'prune'> };

export interface ApplyObjectsOptions {
  target: ClusterTarget;
  app: ApplyApp;
  /** The app's rendered objects, in any order; left as they are, and not to be modified afterwards (their prepared copies are kept for the next step). */
  objects: readonly KubernetesObject[];
  /**
   * Delete live objects of the app that `objects` no longer contains.
   * @defaultValue app.syncPolicy.prune
   */
  prune?: boolean;
  /**
   * What `planApplyPrune` found for these objects before this apply began: the
   * prune deletes it instead of listing the app's objects again. Applying
   * cannot add to it (every applied object is kept); give it only when nothing
   * else labelled as the app's was written in between (no hooks ran).
   * @defaultValue listed after applying
   */
  prunePlan?: PrunePlan;
  /** Stops between objects; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each object is applied or pruned. */
  onProgress?: (result: AppliedObject) => void;
  /**
   * One API request taking longer counts as the cluster not answering (retryable).
   * @defaultValue 30000
   */
  requestTimeoutMs?: number;
}

/**
 * Applies an app's objects with server-side apply as field manager `baton`,
 * forcing ownership (the controller owns what it renders), in dependency
 * order; then prunes. Kinds go one after another in that order; the objects
 * of one kind go CONCURRENCY at a time, each kind's live objects read in one
 * list beforehand (to tell created, configured and unchanged apart). The
 * first object the API refuses stops the sync with an error naming it:
 * ObjectRejectedError (not retried) or ClusterRequestError (retried).
 */
export async function applyObjects(options: ApplyObjectsOptions): Promise<AppliedObject[]> {
  const { app, signal } = options;
  const ctx: CallContext = { target: options.target, signal, timeoutMs: options.requestTimeoutMs };
  const prepared = options.objects.map((o) => prepareObject(o, app));
  const results: AppliedObject[] = [];
  const report = (result: AppliedObject) => {
    results.push(result);
    options.onProgress?.(result);
  };

  signal?.throwIfAborted();
  if (!prepared.some((o) => o.kind === 'Namespace' && o.metadata?.name === app.namespace)) {
    if (await ensureNamespace(ctx, app.namespace)) report({ apiVersion: 'v1', kind: 'Namespace', name: app.namespace, action: 'created' });
  }
  // A custom resource waits until the CRD this sync brings for its kind is Established (as Argo CD does).
  const brought = kindsBroughtBy(prepared);
  const established = new Set<string>();
  for (const run of kindRuns(sortForApply(prepared))) {
    signal?.throwIfAborted();
    const crd = brought.get(kindKey(run[0]!.apiVersion, run[0]!.kind))?.crd;
    if (crd !== undefined && !established.has(crd)) {
      await waitEstablished(ctx, crd);
      established.add(crd);
    }
    const before = await liveDigests(ctx, run);
    await applyRun(run, CONCURRENCY, signal, (object) => applyOne(ctx, object, before), report);
  }
  if (options.prune ?? app.syncPolicy.prune) {
    signal?.throwIfAborted();
    for (const pruned of await pruneObjects({ ...ctx, app: app.name, keep: prepared, namespaces: pruneNamespaces(app, prepared) }, options.prunePlan)) report(pruned);
  }
  return results;
}

/** What applying `objects` would prune (whatever the app's policy), without writing anything. */
export async function planApplyPrune(options: Pick<ApplyObjectsOptions, 'target' | 'app' | 'objects' | 'signal' | 'requestTimeoutMs'>): Promise<PrunePlan> {
  const { app, signal } = options;
  const prepared = options.objects.map((o) => prepareObject(o, app));
  return planPrune({ target: options.target, signal, timeoutMs: options.requestTimeoutMs, app: app.name, keep: prepared, namespaces: pruneNamespaces(app, prepared) });
}

function pruneNamespaces(app: ApplyApp, prepared: readonly KubernetesObject[]): string[] {
  return [...new Set([app.namespace, ...prepared.map((o) => o.metadata?.namespace).filter((n): n is string => !!n)])];
}

/**
 * prepareObject's copies by rendered object. Preflight, the prune plan and
 * apply of one sync prepare the same objects: one copy each made a large app
 * cost three deep clones per object (CPU and memory held at once). Shared,
 * so nobody may modify a prepared object.
 */
const preparedCopies = new WeakMap<KubernetesObject, { namespace: string; name: string; object: KubernetesObject }>();

/** A copy with the app's namespace filled in and the tracking labels prune relies on; the same copy each time it is asked for the same object and app. */
export function prepareObject(input: KubernetesObject, app: ApplyApp): KubernetesObject {
  const kept = preparedCopies.get(input);
  if (kept && kept.namespace === app.namespace && kept.name === app.name) return kept.object;
  const object = copyForApply(input, app);
  preparedCopies.set(input, { namespace: app.namespace, name: app.name, object });
  return object;
}

function copyForApply(input: KubernetesObject, app: ApplyApp): KubernetesObject {
  const object = structuredClone(input);
  if (!object.kind || !object.apiVersion || !object.metadata?.name) {
    const ref = refOf(object);
    throw new ObjectRejectedError(`app ${app.name}: an object has no ${!object.kind ? 'kind' : !object.apiVersion ? 'apiVersion' : 'metadata.name'} (${describeObject(ref)})`, {
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
    });
  }
  const metadata = object.metadata;
  if (!isClusterScoped(object.kind) && !metadata.namespace) metadata.namespace = app.namespace;
  // Server-side apply refuses these, and stored manifests read back from a cluster may carry them.
  delete metadata.resourceVersion;
  delete metadata.managedFields;
  delete metadata.uid;
  delete metadata.creationTimestamp;
  if (object.kind !== 'Namespace') {
    metadata.labels = { ...metadata.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: app.name };
  }
  return object;
}

/** Creates the app's namespace when missing (true); an existing one is left as it is, whoever made it. */
export async function ensureNamespace(ctx: CallContext, name: string): Promise<boolean> {
  const namespace: KubernetesObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } };
  const ref = refOf(namespace);
  if (await callClusterOrAbsent(ctx, 'read', ref, () => ctx.target.objects.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))) return false;
  try {
    await callCluster(ctx, 'create', ref, () => ctx.target.objects.create(namespace, undefined, undefined, FIELD_MANAGER));
    return true;
  } catch (err) {
    // Created by someone else in between: fine, it exists.
    if ((err as ClusterRequestError).code === 'CONFLICT') return false;
    throw err;
  }
}

/** Applies one object; `live` holds the content digests of its kind's live objects, else it is read first. */
async function applyOne(ctx: CallContext, object: KubernetesObject, live: ReadonlyMap<string, string> | undefined): Promise<AppliedObject> {
  const ref = refOf(object);
  const before = live ? live.get(keyOf(object)) : await readDigest(ctx, object);
  const applied = await callCluster(ctx, 'apply', ref, () => ctx.target.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  const action: ApplyAction = before === undefined ? 'created' : before === contentDigestOf(applied) ? 'unchanged' : 'configured';
  return { apiVersion: object.apiVersion!, kind: object.kind!, namespace: ref.namespace, name: ref.name, action };
}

async function readDigest(ctx: CallContext, object: KubernetesObject): Promise<string | undefined> {
  const ref = refOf(object);
  const header = { apiVersion: object.apiVersion!, kind: object.kind!, metadata: { name: ref.name, namespace: ref.namespace } };
  const live = await callClusterOrAbsent(ctx, 'read', ref, () => ctx.target.objects.read(header));
  return live === undefined ? undefined : contentDigestOf(live);
}
