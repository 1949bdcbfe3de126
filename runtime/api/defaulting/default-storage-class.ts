import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { claimClassName, defaultStorageClass } from '../../controllers/volume/storage-class.js';
import { resources } from '../../resources/registry.js';

/**
 * Kubernetes' DefaultStorageClass admission, on create only: a claim that
 * names no class (neither `spec.storageClassName` nor the beta annotation)
 * gets the default StorageClass' name; `storageClassName: ""` asks for no
 * class and is left alone. Mutates `claim`.
 */
export async function defaultClaimStorageClass(cluster: Cluster, claim: KubeObject): Promise<void> {
  if (!claim.spec || typeof claim.spec !== 'object' || claimClassName(claim) !== undefined) return;
  const chosen = defaultStorageClass((await cluster.list(resources.storageclasses)).items);
  if (chosen) claim.spec.storageClassName = chosen.metadata.name;
}
