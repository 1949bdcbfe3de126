type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** SetDefaults_PersistentVolumeClaim (also for a StatefulSet's claim templates). */
export function defaultClaim(claim: Obj): void {
  if (isObj(claim.spec)) claim.spec.volumeMode ??= 'Filesystem';
}

/** SetDefaults_PersistentVolume. */
export function defaultPersistentVolume(pv: Obj): void {
  if (!isObj(pv.spec)) return;
  pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  pv.spec.volumeMode ??= 'Filesystem';
  if (isObj(pv.spec.hostPath)) pv.spec.hostPath.type ??= '';
}

/** SetDefaults_StorageClass. */
export function defaultStorageClass(sc: Obj): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= 'Immediate';
}

/** SetDefaults_StatefulSet; the pod template gets the pod defaults from the caller. */
export function defaultStatefulSet(spec: Obj): void {
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.revisionHistoryLimit ??= 10;
  spec.updateStrategy ??= {};
  if (isObj(spec.updateStrategy)) {
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      if (isObj(spec.updateStrategy.rollingUpdate)) spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
  }
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  if (isObj(spec.persistentVolumeClaimRetentionPolicy)) {
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
  }
  for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) if (isObj(t)) defaultClaim(t);
}
