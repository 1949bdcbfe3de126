import type { KubeObject } from '../objects/types.js';

/** The IngressClass name baton answers to. */
export const INGRESS_CLASS = 'baton';

/**
 * Whether baton's ingress serves this Ingress: `spec.ingressClassName` (or the
 * older `kubernetes.io/ingress.class` annotation) unset or `baton`. With one
 * ingress on the machine an unset class means "the default", as a cluster's
 * default IngressClass would; Ingresses for another controller (nginx,
 * traefik) are left alone, so manifests written for a real cluster still sync.
 */
export function servedByBaton(ingress: KubeObject): boolean {
  const name = ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  return name === undefined || name === null || name === '' || name === INGRESS_CLASS;
}
