import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';

/** The class every runtime has from its start, as kind and minikube name theirs. */
export const DEFAULT_STORAGE_CLASS = 'standard';
/** `provisioner` of the classes the built-in local-path provisioner serves. */
export const LOCAL_PATH_PROVISIONER = 'baton.dev/local-path';
/** Marks the StorageClass that class-less claims get (value "true"). */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** Set on a WaitForFirstConsumer claim once a pod using it is scheduled: the provisioner's cue. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** Which provisioner made a PersistentVolume (as external provisioners mark theirs). */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';

/**
 * The class Kubernetes' DefaultStorageClass admission picks: of the classes
 * annotated as default (also the beta annotation), the newest, then the first
 * by name; undefined when none is.
 */
export function defaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const isDefault = (c: KubeObject) =>
    c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' || c.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  const created = (c: KubeObject) => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  const byName = (a: KubeObject, b: KubeObject) => (String(a.metadata.name) < String(b.metadata.name) ? -1 : 1);
  return classes.filter(isDefault).sort((a, b) => created(b) - created(a) || byName(a, b))[0];
}

/** The `standard` class, made once at start; a user's edits or deletion of it stay. */
export function standardStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: false,
  };
}

/** Creates the `standard` class when the store has no StorageClass at all, so a user's deletion or replacement of it stays. */
export async function ensureStandardStorageClass(cluster: Cluster): Promise<void> {
  if ((await cluster.list(resources.storageclasses)).items.length > 0) return;
  try {
    await cluster.create(resources.storageclasses, standardStorageClass());
  } catch (err) {
    if ((err as { code?: unknown }).code !== 409) throw err;
  }
}

/** The claim's class name: `spec.storageClassName`, else the beta annotation; '' asks for no class. */
export function claimClassName(claim: KubeObject): string | undefined {
  const name = claim.spec?.storageClassName ?? claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return typeof name === 'string' ? name : undefined;
}
