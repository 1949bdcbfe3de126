import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { writeOwnStatus } from '../write-status.js';
import { isPodTerminal } from '../pod-conditions.js';
import { done, requeueAfter, splitKey, startReconciler, type ReconcileResult, type ReconcilerLogger, type RunningReconciler } from '../reconciler.js';
import { claimClassName, ensureStandardStorageClass, LOCAL_PATH_PROVISIONER } from './storage-class.js';
import { decideClaim, decideVolume, provisionedVolume, provisionedVolumeName } from './volume-plan.js';

const COMPONENT = 'persistentvolume-controller';
/** Holds a deleted claim while a pod still uses it, as Kubernetes' pvc-protection controller does. */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';

export interface VolumeControllerOptions {
  cluster: Cluster;
  /** Where the local-path provisioner makes each volume's directory, `<volumesDir>/<pv-name>`. */
  volumesDir: string;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
}

interface Ctx {
  cluster: Cluster;
  volumesDir: string;
  /** `<claim uid> <reason>` of the waiting events recorded, so each is recorded once per run. */
  noted: Set<string>;
}

/** Names of the claims a pod's volumes use. */
export function claimsOfPod(pod: KubeObject): string[] {
  return ((pod.spec?.volumes ?? []) as Array<{ persistentVolumeClaim?: { claimName?: string } }>)
    .map((v) => v.persistentVolumeClaim?.claimName)
    .filter((n): n is string => typeof n === 'string' && n !== '');
}

/**
 * Kubernetes' PersistentVolume controller and a local-path provisioner in
 * one: claims are bound to volumes (provisioning a directory-backed volume
 * for the `baton.dev/local-path` classes), and volumes whose claim is gone
 * are released, their directory deleted under reclaimPolicy Delete.
 */
export async function startVolumeControllers(options: VolumeControllerOptions): Promise<RunningReconciler[]> {
  const { cluster } = options;
  const ctx: Ctx = { cluster, volumesDir: options.volumesDir, noted: new Set() };
  await mkdir(options.volumesDir, { recursive: true, mode: 0o700 });
  await ensureStandardStorageClass(cluster);
  const claims = await startReconciler({
    name: 'persistentvolume-binder',
    cluster,
    primary: resources.persistentvolumeclaims,
    logger: options.logger,
    reconcile: (key) => reconcileClaim(ctx, key),
    watches: [
      {
        type: resources.persistentvolumes,
        keysFor: (e) => {
          const ref = e.object.spec?.claimRef;
          return ref?.namespace && ref?.name ? [`${ref.namespace}/${ref.name}`] : [];
        },
      },
      {
        // A pod that ends may free a deleted claim it held.
        type: resources.pods,
        keysFor: (e) => (e.type === 'DELETED' || isPodTerminal(e.object) ? claimsOfPod(e.object).map((n) => `${e.object.metadata.namespace}/${n}`) : []),
      },
    ],
  });
  try {
    const volumes = await startReconciler({
      name: 'persistentvolume-reclaimer',
      cluster,
      primary: resources.persistentvolumes,
      logger: options.logger,
      reconcile: (key) => reconcileVolume(ctx, key),
      watches: [{ type: resources.persistentvolumeclaims, keysFor: (e) => (e.object.spec?.volumeName ? [String(e.object.spec.volumeName)] : []) }],
    });
    return [claims, volumes];
  } catch (err) {
    await claims.stop();
    throw err;
  }
}

export async function reconcileClaim(ctx: Ctx, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let claim = await getIfExists(ctx.cluster, resources.persistentvolumeclaims, namespace, name);
  if (!claim) return done;
  if (claim.metadata.deletionTimestamp) return releaseProtection(ctx, claim);
  if (!claim.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) {
    const next = structuredClone(claim);
    next.metadata.finalizers = [...(next.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER];
    claim = await ctx.cluster.update(resources.persistentvolumeclaims, next, { fieldManager: COMPONENT });
  }
  const volumes = (await ctx.cluster.list(resources.persistentvolumes)).items;
  const className = claimClassName(claim);
  const storageClass = className ? await getIfExists(ctx.cluster, resources.storageclasses, undefined, className) : undefined;
  const decision = decideClaim(claim, volumes, className, storageClass);
  if (decision.action === 'wait') {
    const note = `${claim.metadata.uid} ${decision.reason}`;
    if (!ctx.noted.has(note)) {
      ctx.noted.add(note);
      await recordEvent(ctx.cluster, claim, decision.type, decision.reason, decision.message, COMPONENT);
    }
    await writeOwnStatus(ctx.cluster, resources.persistentvolumeclaims, claim, { ...(claim.status ?? {}), phase: 'Pending' }, COMPONENT);
    return done;
  }
  let volume: KubeObject;
  if (decision.action === 'provision') {
    volume = await provision(ctx, claim, decision.storageClass);
  } else {
    volume = decision.volume;
  }
  await bind(ctx, claim, volume);
  for (const note of ctx.noted) if (note.startsWith(`${claim.metadata.uid} `)) ctx.noted.delete(note);
  return done;
}

async function claimInUse(ctx: Ctx, namespace: string | undefined, name: string): Promise<boolean> {
  const pods = (await ctx.cluster.list(resources.pods, { namespace })).items;
  return pods.some((p) => !isPodTerminal(p) && claimsOfPod(p).includes(name));
}

/** A deleted claim goes once no running or pending pod uses it. */
async function releaseProtection(ctx: Ctx, claim: KubeObject): Promise<ReconcileResult> {
  if (!claim.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return done;
  if (await claimInUse(ctx, claim.metadata.namespace, String(claim.metadata.name))) return done;
  const next = structuredClone(claim);
  next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PVC_PROTECTION_FINALIZER);
  try {
    await ctx.cluster.update(resources.persistentvolumeclaims, next, { fieldManager: COMPONENT });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
  }
  return done;
}

async function provision(ctx: Ctx, claim: KubeObject, storageClass: KubeObject): Promise<KubeObject> {
  const path = join(ctx.volumesDir, provisionedVolumeName(claim));
  await recordEvent(ctx.cluster, claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claim.metadata.namespace}/${claim.metadata.name}"`, LOCAL_PATH_PROVISIONER);
  await mkdir(path, { recursive: true });
  // World-writable as local-path-provisioner makes it: pods run as any user; the parent (0700) keeps host users out.
  await chmod(path, 0o777);
  let volume: KubeObject;
  try {
    volume = await ctx.cluster.create(resources.persistentvolumes, provisionedVolume(claim, storageClass, path));
  } catch (err) {
    if ((err as { code?: unknown }).code !== 409) throw err;
    volume = await ctx.cluster.get(resources.persistentvolumes, undefined, provisionedVolumeName(claim));
  }
  await recordEvent(ctx.cluster, claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${volume.metadata.name}`, LOCAL_PATH_PROVISIONER);
  return volume;
}

/** Points volume and claim at each other, then marks both Bound (the order Kubernetes' bind takes). */
async function bind(ctx: Ctx, claim: KubeObject, volume: KubeObject): Promise<void> {
  if (volume.spec?.claimRef?.uid !== claim.metadata.uid) {
    const next = structuredClone(volume);
    next.spec = { ...next.spec, claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion } };
    volume = await ctx.cluster.update(resources.persistentvolumes, next, { fieldManager: COMPONENT });
  }
  await writeOwnStatus(ctx.cluster, resources.persistentvolumes, volume, { ...(volume.status ?? {}), phase: 'Bound' }, COMPONENT);
  let bound = claim;
  if (claim.spec?.volumeName !== volume.metadata.name || claim.metadata.annotations?.['pv.kubernetes.io/bind-completed'] !== 'yes') {
    const next = structuredClone(claim);
    next.spec = { ...next.spec, volumeName: volume.metadata.name };
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
    bound = await ctx.cluster.update(resources.persistentvolumeclaims, next, { fieldManager: COMPONENT });
  }
  const status = { phase: 'Bound', accessModes: volume.spec?.accessModes ?? [], capacity: volume.spec?.capacity ?? {} };
  await writeOwnStatus(ctx.cluster, resources.persistentvolumeclaims, bound, status, COMPONENT);
}

export async function reconcileVolume(ctx: Ctx, key: string): Promise<ReconcileResult> {
  const volume = await getIfExists(ctx.cluster, resources.persistentvolumes, undefined, key);
  if (!volume || volume.metadata.deletionTimestamp) return done;
  const ref = volume.spec?.claimRef;
  const claim = ref?.namespace && ref?.name ? await getIfExists(ctx.cluster, resources.persistentvolumeclaims, ref.namespace, ref.name) : undefined;
  const decision = decideVolume(volume, claim);
  if (decision.delete) {
    // While a pod still uses the claim's name (a claim deleted before pvc-protection held it), its data stays.
    if (await claimInUse(ctx, ref.namespace, ref.name)) return requeueAfter(2000);
    const path = volume.spec?.hostPath?.path;
    // Only a directory this provisioner made, never a path a user wrote into a volume.
    if (path === join(ctx.volumesDir, String(volume.metadata.name))) await rm(path, { recursive: true, force: true });
    try {
      await ctx.cluster.delete(resources.persistentvolumes, undefined, String(volume.metadata.name), { preconditions: { uid: volume.metadata.uid } });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 404) throw err;
    }
    return done;
  }
  const status: Record<string, unknown> = { ...(volume.status ?? {}), phase: decision.phase };
  if (decision.message) status.message = decision.message;
  else delete status.message;
  await writeOwnStatus(ctx.cluster, resources.persistentvolumes, volume, status, COMPONENT);
  return done;
}
