import type { PreviewInstance } from '../apps/app-spec.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { previewHost, previewNamespace } from '../apps/preview-names.js';

/** Marks every object of a preview with its request number; also on the preview's namespace. */
export const PREVIEW_LABEL = 'baton.dev/preview';
/**
 * A Secret goes to previews only when it says so with this annotation set to
 * "true": previews run unreviewed code, production credentials stay out.
 */
export const PREVIEW_SECRET_ANNOTATION = 'baton.dev/preview';

export interface PreviewObjects {
  objects: KubeObject[];
  /** What was left out, and why, in words (shown in the app's sync message). */
  dropped: string[];
}

/**
 * Turns an app's rendered objects into its preview's: every namespaced
 * object moves into `pr-N` (whatever namespace the manifests name),
 * cluster-scoped objects are left out (a preview must not change what the
 * whole cluster shares), Secrets not marked for previews are left out, and
 * every Ingress rule's host `H` becomes `pr-N.H` (TLS hosts too; a rule
 * without a host gets `pr-N.localhost`, and a default backend is dropped).
 */
export function previewObjects(objects: readonly KubeObject[], instance: PreviewInstance): PreviewObjects {
  const dropped: string[] = [];
  const out: KubeObject[] = [];
  for (const object of objects) {
    const result = previewObject(object, instance);
    if ('dropped' in result) dropped.push(result.dropped);
    else out.push(result.object);
  }
  return { objects: out, dropped };
}

/** One object as the preview's, or why it stays out of previews. */
export function previewObject(object: KubeObject, instance: PreviewInstance): { object: KubeObject } | { dropped: string } {
  const name = `${object.kind}/${object.metadata.name}`;
  if (isClusterScoped(object.kind)) return { dropped: `${name} (cluster-scoped objects are not part of previews)` };
  if (object.kind === 'Secret' && object.metadata.annotations?.[PREVIEW_SECRET_ANNOTATION] !== 'true') {
    return { dropped: `${name} (Secrets reach previews only with the annotation ${PREVIEW_SECRET_ANNOTATION}: "true")` };
  }
  const moved: KubeObject = {
    ...object,
    metadata: { ...object.metadata, namespace: previewNamespace(instance.number), labels: { ...object.metadata.labels, [PREVIEW_LABEL]: String(instance.number) } },
  };
  return { object: object.kind === 'Ingress' && object.apiVersion.startsWith('networking.k8s.io/') ? rewriteHosts(moved, instance.number) : moved };
}

/** The preview's namespace as an object, marked with the request number. */
export function previewNamespaceObject(number: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: previewNamespace(number), labels: { [PREVIEW_LABEL]: String(number) } } };
}

/** The hosts of a (preview) Ingress, in rule order, for its URL. */
export function ingressHosts(object: KubeObject): string[] {
  const rules = ((object as { spec?: { rules?: Array<{ host?: unknown }> } }).spec?.rules ?? []) as Array<{ host?: unknown }>;
  return rules.map((r) => r.host).filter((h): h is string => typeof h === 'string' && h.length > 0);
}

function rewriteHosts(ingress: KubeObject, number: number): KubeObject {
  const spec = structuredClone((ingress as { spec?: Record<string, unknown> }).spec ?? {}) as {
    rules?: Array<{ host?: string }>;
    tls?: Array<{ hosts?: string[] }>;
  };
  // A rule without a host (or a default backend) would answer for every host, production's too.
  for (const rule of spec.rules ?? []) rule.host = rule.host ? previewHost(number, rule.host) : `${previewNamespace(number)}.localhost`;
  delete (spec as { defaultBackend?: unknown }).defaultBackend;
  for (const tls of spec.tls ?? []) if (tls.hosts) tls.hosts = tls.hosts.map((h) => previewHost(number, h));
  return { ...ingress, spec } as KubeObject;
}
