import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';

/** The IngressClass baton's ingress is, made at start. */
export const INGRESS_CLASS = 'baton';
/** `spec.controller` of the classes baton's ingress implements. */
export const INGRESS_CONTROLLER = 'baton.dev/ingress';
/** The class annotation older manifests carry instead of `spec.ingressClassName`. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass that class-less Ingresses get (value "true"). */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/** The class an Ingress asks for: `spec.ingressClassName`, else the annotation; undefined when neither is set. */
export function ingressClassOf(ingress: KubeObject): string | undefined {
  const name = ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * The class Kubernetes' DefaultIngressClass admission picks: of the classes
 * annotated as default, the newest (then the first by name); undefined when
 * none is.
 */
export function defaultIngressClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const marked = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  const created = (c: KubeObject) => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  const byName = (a: KubeObject, b: KubeObject) => (String(a.metadata.name) < String(b.metadata.name) ? -1 : 1);
  marked.sort((a, b) => created(b) - created(a) || byName(a, b));
  return marked[0];
}

/**
 * Whether baton's ingress serves this Ingress, as ingress-nginx decides for
 * its own: its class is `baton`, one of `extraClasses` (`--ingress-class
 * nginx`), or an IngressClass whose controller is `baton.dev/ingress`; or it
 * has no class and either no IngressClass is the default or the default is
 * one of baton's. Others are another controller's, so manifests written for
 * a real cluster still sync.
 */
export function servedByBaton(ingress: KubeObject, classes: readonly KubeObject[], extraClasses: readonly string[] = []): boolean {
  const ours = (name: string) =>
    name === INGRESS_CLASS || extraClasses.includes(name) || classes.some((c) => c.metadata.name === name && c.spec?.controller === INGRESS_CONTROLLER);
  const name = ingressClassOf(ingress);
  if (name !== undefined) return ours(name);
  const fallback = defaultIngressClass(classes);
  return fallback === undefined || ours(String(fallback.metadata.name));
}

/** Creates the `baton` IngressClass when it is missing; an existing one (the user's annotations, say) is left as it is. */
export async function ensureIngressClass(cluster: Cluster): Promise<void> {
  try {
    await cluster.get(resources.ingressclasses, undefined, INGRESS_CLASS);
    return;
  } catch (err) {
    if ((err as { code?: unknown }).code !== 404) throw err;
  }
  const object = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: INGRESS_CLASS }, spec: { controller: INGRESS_CONTROLLER } };
  await cluster.create(resources.ingressclasses, object).catch((err: unknown) => {
    // Made by someone else between our read and write: theirs stands.
    if ((err as { code?: unknown }).code !== 409) throw err;
  });
}
