/**
 * Built-in kinds that live outside namespaces (`namespaced: false` in
 * Kubernetes' discovery). Every other kind is namespaced: a manifest that
 * names no namespace gets the app's. Custom resources are taken as
 * namespaced, as most are; the runtime's registry takes its scope from here.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'VolumeAttachment',
  'CSIDriver',
  'VolumeSnapshotClass',
  'CustomResourceDefinition',
  'APIService',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

export function isClusterScoped(kind: string | undefined): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind ?? '');
}
