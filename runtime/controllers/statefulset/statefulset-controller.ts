import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { selectorIsEmpty, type LabelSelector } from '../../kube/label-selector.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { TerminalError } from '../../kube/reconcile/terminal-error.js';
import { resources } from '../../resources/registry.js';
import { claimChildren } from '../claim-children.js';
import { ObjectCache } from '../object-cache.js';
import { podOwnerKeys } from '../pod-owner-keys.js';
import { done, requeueAfter, splitKey, startReconciler, type ReconcileResult, type ReconcilerLogger, type RunningReconciler } from '../reconciler.js';
import { writeOwnStatus } from '../write-status.js';
import { syncRevisions, type SetRevisions } from './controller-revisions.js';
import { claimOwners, claimsFor, ordinalOf, REVISION_LABEL, statefulPod } from './stateful-pods.js';
import { ordinalRange, planStatefulSet } from './statefulset-plan.js';
import { claimClassName, defaultStorageClass } from '../volume/storage-class.js';

const COMPONENT = 'statefulset-controller';

export interface StatefulSetControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
}

interface Ctx {
  cluster: Cluster;
  cache: ObjectCache;
}

/** Runs StatefulSets as Kubernetes' statefulset controller does: stable, ordered pods with their own claims. */
export function startStatefulSetController(options: StatefulSetControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const pods = new ObjectCache();
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.statefulsets,
    logger: options.logger,
    reconcile: (key) => reconcileStatefulSet({ cluster, cache: pods }, key),
    watches: [
      {
        type: resources.pods,
        onSync: (items) => pods.replaceAll(items),
        keysFor: (e) => {
          pods.apply(e);
          return podOwnerKeys(cluster, resources.statefulsets, e);
        },
      },
    ],
  });
}

export async function reconcileStatefulSet(ctx: Ctx, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const set = await getIfExists(ctx.cluster, resources.statefulsets, namespace, name);
  // Its pods and claims follow a deleted set through their owner references.
  if (!set || set.metadata.deletionTimestamp) return done;
  const selector = set.spec?.selector as LabelSelector | undefined;
  if (selectorIsEmpty(selector)) throw new TerminalError(`StatefulSet ${namespace}/${name} has an empty selector`);
  const pods = await claimChildren(ctx.cluster, resources.pods, set, selector!, ctx.cache.list(String(namespace)));
  for (const pod of pods) ctx.cache.put(pod);
  const revisions = await syncRevisions(ctx.cluster, set, new Set(pods.map((p) => String(p.metadata.labels?.[REVISION_LABEL] ?? ''))));
  const plan = planStatefulSet(set, pods, revisions);
  try {
    await syncClaimOwners(ctx, set, pods, plan.condemned);
    for (const ordinal of plan.create) await createPod(ctx, set, ordinal, revisions);
    for (const pod of plan.remove) await deletePod(ctx, set, pod);
  } finally {
    await writeOwnStatus(ctx.cluster, resources.statefulsets, set, plan.status, COMPONENT);
  }
  return plan.requeueAfterMs === undefined ? done : requeueAfter(plan.requeueAfterMs);
}

/** The pod of an ordinal below the partition keeps the current revision's template; others get the update revision's. */
function revisionFor(set: KubeObject, ordinal: number, revisions: SetRevisions): string {
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = Number(set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
  return rolling && ordinal < partition && revisions.templates.has(revisions.current) ? revisions.current : revisions.update;
}

async function createPod(ctx: Ctx, set: KubeObject, ordinal: number, revisions: SetRevisions): Promise<void> {
  const setName = String(set.metadata.name);
  const revision = revisionFor(set, ordinal, revisions);
  const template = revision === revisions.update ? set.spec?.template : revisions.templates.get(revision);
  const pod = statefulPod(set, template, ordinal, revision);
  for (const claim of claimsFor(set, ordinal)) {
    const live = await getIfExists(ctx.cluster, resources.persistentvolumeclaims, claim.metadata.namespace, String(claim.metadata.name));
    if (live?.metadata.deletionTimestamp) throw new Error(`claim ${claim.metadata.name} of pod ${pod.metadata.name} is being deleted; waiting to recreate it`);
    if (live) continue;
    // What the DefaultStorageClass admission does for claims made through the API.
    if (claimClassName(claim) === undefined) {
      const chosen = defaultStorageClass((await ctx.cluster.list(resources.storageclasses)).items);
      if (chosen) claim.spec.storageClassName = chosen.metadata.name;
    }
    claim.metadata.ownerReferences = claimOwners(set, claim, undefined);
    if (claim.metadata.ownerReferences.length === 0) delete claim.metadata.ownerReferences;
    try {
      await ctx.cluster.create(resources.persistentvolumeclaims, claim);
    } catch (err) {
      const message = `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${setName} failed error: ${(err as Error).message}`;
      await recordEvent(ctx.cluster, set, 'Warning', 'FailedCreate', message, COMPONENT);
      throw err;
    }
    await recordEvent(ctx.cluster, set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${setName} success`, COMPONENT);
  }
  let created: KubeObject;
  try {
    created = await ctx.cluster.create(resources.pods, pod);
  } catch (err) {
    if ((err as { code?: unknown }).code === 409) return;
    await recordEvent(ctx.cluster, set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${setName} failed error: ${(err as Error).message}`, COMPONENT);
    throw err;
  }
  ctx.cache.put(created);
  await recordEvent(ctx.cluster, set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${setName} successful`, COMPONENT);
}

async function deletePod(ctx: Ctx, set: KubeObject, pod: KubeObject): Promise<void> {
  try {
    await ctx.cluster.delete(resources.pods, pod.metadata.namespace, String(pod.metadata.name), { preconditions: { uid: pod.metadata.uid } });
    ctx.cache.markDeleting(pod);
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return ctx.cache.remove(pod);
    throw err;
  }
  await recordEvent(ctx.cluster, set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`, COMPONENT);
}

/**
 * persistentVolumeClaimRetentionPolicy: the claims of live ordinals are owned
 * by the set when whenDeleted is Delete, those of condemned pods by their pod
 * when whenScaled is Delete, so the garbage collector removes them; Retain
 * (the default) leaves claims unowned and kept.
 */
async function syncClaimOwners(ctx: Ctx, set: KubeObject, pods: readonly KubeObject[], condemned: readonly KubeObject[]): Promise<void> {
  if (!set.spec?.volumeClaimTemplates?.length) return;
  const setName = String(set.metadata.name);
  const { start, end } = ordinalRange(set);
  for (const pod of pods) {
    const ordinal = ordinalOf(setName, pod)!;
    const isCondemned = condemned.includes(pod);
    if (!isCondemned && (ordinal < start || ordinal >= end)) continue;
    for (const wanted of claimsFor(set, ordinal)) {
      const live = await getIfExists(ctx.cluster, resources.persistentvolumeclaims, wanted.metadata.namespace, String(wanted.metadata.name));
      if (!live || live.metadata.deletionTimestamp) continue;
      const refs = claimOwners(set, live, isCondemned ? pod : undefined);
      if (semanticEqual(refs, live.metadata.ownerReferences ?? [])) continue;
      const next = structuredClone(live);
      next.metadata.ownerReferences = refs;
      if (refs.length === 0) delete next.metadata.ownerReferences;
      await ctx.cluster.update(resources.persistentvolumeclaims, next, { fieldManager: COMPONENT });
    }
  }
}
