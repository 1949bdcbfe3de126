import type { KubeObject } from '../../kube/object.js';
import { quantityValue } from '../../kube/quantity.js';
import { LOCAL_PATH_PROVISIONER, PROVISIONED_BY_ANNOTATION, SELECTED_NODE_ANNOTATION } from './storage-class.js';

/** What the claim needs next, as Kubernetes' PV controller and an external provisioner decide it. */
export type ClaimDecision =
  | { action: 'bind'; volume: KubeObject }
  | { action: 'provision'; storageClass: KubeObject }
  | { action: 'wait'; type: 'Normal' | 'Warning'; reason: string; message: string };

const wait = (type: 'Normal' | 'Warning', reason: string, message: string): ClaimDecision => ({ action: 'wait', type, reason, message });

function claimRefMatches(volume: KubeObject, claim: KubeObject): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.uid) return ref.uid === claim.metadata.uid;
  return ref.namespace === claim.metadata.namespace && ref.name === claim.metadata.name;
}

/** Storage the claim asks for, in bytes (0 when absent). */
export function requestedBytes(claim: KubeObject): number {
  return quantityValue(claim.spec?.resources?.requests?.storage) ?? 0;
}

/** findBestMatchForClaim: an unclaimed volume of the claim's class, modes and volumeMode, large enough; the smallest such. */
function staticMatch(claim: KubeObject, volumes: readonly KubeObject[], className: string): KubeObject | undefined {
  const modes: string[] = claim.spec?.accessModes ?? [];
  const want = requestedBytes(claim);
  const fits = volumes.filter((v) => {
    if (v.spec?.claimRef || v.metadata.deletionTimestamp) return false;
    if (v.status?.phase === 'Released' || v.status?.phase === 'Failed') return false;
    if ((v.spec?.storageClassName ?? '') !== className) return false;
    if ((v.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
    const has: string[] = v.spec?.accessModes ?? [];
    if (!modes.every((m) => has.includes(m))) return false;
    return (quantityValue(v.spec?.capacity?.storage) ?? 0) >= want;
  });
  const size = (v: KubeObject) => quantityValue(v.spec?.capacity?.storage) ?? 0;
  return fits.sort((a, b) => size(a) - size(b))[0];
}

/**
 * The next step for an unbound or bound claim: bind to the volume it names or
 * that names it, bind to a matching unclaimed volume, provision one (for the
 * local-path provisioner, at once for Immediate classes and once a pod is
 * scheduled for WaitForFirstConsumer), or wait with the event Kubernetes
 * records.
 */
export function decideClaim(claim: KubeObject, volumes: readonly KubeObject[], className: string | undefined, storageClass: KubeObject | undefined): ClaimDecision {
  const named: string | undefined = claim.spec?.volumeName || undefined;
  if (named) {
    const volume = volumes.find((v) => v.metadata.name === named);
    if (!volume) return wait('Warning', 'FailedBinding', `volume "${named}" not found`);
    if (volume.spec?.claimRef && !claimRefMatches(volume, claim)) return wait('Warning', 'FailedBinding', `volume "${named}" already bound to a different claim.`);
    return { action: 'bind', volume };
  }
  const mine = volumes.find((v) => claimRefMatches(v, claim) && !v.metadata.deletionTimestamp);
  if (mine) return { action: 'bind', volume: mine };
  const found = staticMatch(claim, volumes, className ?? '');
  if (found) return { action: 'bind', volume: found };
  if (!className) return wait('Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
  if (!storageClass) return wait('Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
  if (storageClass.provisioner !== LOCAL_PATH_PROVISIONER) {
    return wait('Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${storageClass.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }
  if ((claim.spec?.volumeMode ?? 'Filesystem') !== 'Filesystem') {
    return wait('Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${storageClass.metadata.name}": the local-path provisioner makes only Filesystem volumes`);
  }
  if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION]) {
    return wait('Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
  }
  return { action: 'provision', storageClass };
}

/** `pvc-<claim uid>`, the name Kubernetes' provisioners give the volumes they make. */
export function provisionedVolumeName(claim: KubeObject): string {
  return `pvc-${claim.metadata.uid}`;
}

/** The PersistentVolume the local-path provisioner makes for `claim`, bound to it, over the directory `path`. */
export function provisionedVolume(claim: KubeObject, storageClass: KubeObject, path: string): KubeObject {
  const spec: Record<string, unknown> = {
    capacity: { storage: claim.spec?.resources?.requests?.storage ?? '0' },
    accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
    storageClassName: storageClass.metadata.name,
    volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
    hostPath: { path, type: 'DirectoryOrCreate' },
    claimRef: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: claim.metadata.namespace,
      name: claim.metadata.name,
      uid: claim.metadata.uid,
      resourceVersion: claim.metadata.resourceVersion,
    },
  };
  if (Array.isArray(storageClass.mountOptions)) spec.mountOptions = storageClass.mountOptions;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: provisionedVolumeName(claim), annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PATH_PROVISIONER } },
    spec,
  };
}

/** What becomes of a volume: its phase, and whether the provisioner deletes it (its claim gone, policy Delete). */
export interface VolumeDecision {
  phase: 'Available' | 'Bound' | 'Released' | 'Failed';
  delete: boolean;
  message?: string;
}

/**
 * The volume's phase given its claim (undefined when the claimed object is
 * gone or is a newer claim by the same name): unclaimed volumes are
 * Available, claimed ones Bound; a released volume is deleted when its policy
 * is Delete and this provisioner made it, kept Released otherwise (Retain),
 * and Failed when Delete names a volume no plugin here can delete.
 */
export function decideVolume(volume: KubeObject, claim: KubeObject | undefined): VolumeDecision {
  const ref = volume.spec?.claimRef;
  if (!ref) return { phase: 'Available', delete: false };
  if (claim && claimRefMatches(volume, claim)) return { phase: 'Bound', delete: false };
  // Claimed before the claim existed (a pre-bound volume): wait for it rather than release it.
  if (!ref.uid) return { phase: 'Available', delete: false };
  const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
  if (policy !== 'Delete') return { phase: 'Released', delete: false };
  if (volume.metadata.annotations?.[PROVISIONED_BY_ANNOTATION] === LOCAL_PATH_PROVISIONER) return { phase: 'Released', delete: true };
  return { phase: 'Failed', delete: false, message: 'error getting deleter volume plugin for volume: no deletable volume plugin matched' };
}
