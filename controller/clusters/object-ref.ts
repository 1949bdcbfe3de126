import type { KubernetesObject } from '@kubernetes/client-node';

/** Which object: enough to name it in a message and to address it in the API. */
export interface ObjectRef {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

export function refOf(object: KubernetesObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind ?? '', namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' };
}

/** `Deployment shop/catalog`, or `Namespace shop` for cluster-scoped objects: how messages name an object. */
export function describeObject(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** A stable identity for comparing rendered and live objects (the API group matters, the version does not). */
export function objectKey(ref: ObjectRef): string {
  const group = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${group}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
