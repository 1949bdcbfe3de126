import type { KubeObject, OwnerReference } from '../../kube/object.js';
import { newControllerRef } from '../controller-ref.js';
import { podFromTemplate } from '../replicaset/pod-from-template.js';

/** The label that ties a StatefulSet's pods to the ControllerRevision of their template. */
export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal of a pod named `<set>-<ordinal>`, else undefined (getParentNameAndOrdinal). */
export function ordinalOf(setName: string, pod: KubeObject): number | undefined {
  const name = String(pod.metadata.name ?? '');
  if (!name.startsWith(`${setName}-`)) return undefined;
  const rest = name.slice(setName.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

/** `<template>-<set>-<ordinal>`: the claim a pod of the set gets from each volumeClaimTemplate. */
export function claimName(template: KubeObject, setName: string, ordinal: number): string {
  return `${template.metadata?.name}-${setName}-${ordinal}`;
}

/** The claims of one ordinal, made from `spec.volumeClaimTemplates` (getPersistentVolumeClaims). */
export function claimsFor(set: KubeObject, ordinal: number): KubeObject[] {
  const setName = String(set.metadata.name);
  const matchLabels: Record<string, string> = set.spec?.selector?.matchLabels ?? {};
  return ((set.spec?.volumeClaimTemplates ?? []) as KubeObject[]).map((t) => {
    const claim: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(t, setName, ordinal), namespace: set.metadata.namespace, labels: { ...(t.metadata?.labels ?? {}), ...matchLabels } },
      spec: structuredClone(t.spec ?? {}),
    };
    if (t.metadata?.annotations) claim.metadata.annotations = { ...t.metadata.annotations };
    return claim;
  });
}

/**
 * The pod of one ordinal from `template` (newVersionedStatefulSetPod): a
 * stable name, hostname and subdomain (the governing Service), the identity
 * labels, the revision label, and each claim template as a volume.
 */
export function statefulPod(set: KubeObject, template: any, ordinal: number, revision: string): KubeObject {
  const setName = String(set.metadata.name);
  const pod = podFromTemplate(set, template);
  const name = `${setName}-${ordinal}`;
  pod.metadata.name = name;
  delete pod.metadata.generateName;
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision };
  pod.spec.hostname = name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  const claimVolumes = ((set.spec?.volumeClaimTemplates ?? []) as KubeObject[]).map((t) => ({
    name: String(t.metadata?.name),
    persistentVolumeClaim: { claimName: claimName(t, setName, ordinal) },
  }));
  const names = new Set(claimVolumes.map((v) => v.name));
  pod.spec.volumes = [...((pod.spec.volumes ?? []) as Array<{ name: string }>).filter((v) => !names.has(v.name)), ...claimVolumes];
  if (pod.spec.volumes.length === 0) delete pod.spec.volumes;
  return pod;
}

/**
 * The owner references a claim should carry under the set's
 * persistentVolumeClaimRetentionPolicy (updateClaimOwnerRefForSetAndPod): the
 * pod alone once its ordinal is scaled away and whenScaled is Delete, else
 * the set while whenDeleted is Delete. The garbage collector then deletes
 * the claim with its owner.
 */
export function claimOwners(set: KubeObject, claim: KubeObject, condemnedPod: KubeObject | undefined): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const isPod = (r: OwnerReference) => r.kind === 'Pod' && r.apiVersion === 'v1';
  const refs = (claim.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid && !isPod(r));
  if (condemnedPod && policy.whenScaled === 'Delete') {
    refs.push({ apiVersion: 'v1', kind: 'Pod', name: String(condemnedPod.metadata.name), uid: String(condemnedPod.metadata.uid), controller: false, blockOwnerDeletion: false });
  } else if (policy.whenDeleted === 'Delete') {
    refs.push({ ...newControllerRef(set), controller: false, blockOwnerDeletion: true });
  }
  return refs;
}
