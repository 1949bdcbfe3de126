import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { defaultIngressClass, INGRESS_CLASS_ANNOTATION } from '../../ingress/ingress-class.js';
import { resources } from '../../resources/registry.js';

/**
 * Kubernetes' DefaultIngressClass admission, on create only: an Ingress with
 * neither `spec.ingressClassName` nor the `kubernetes.io/ingress.class`
 * annotation gets the default IngressClass' name, so it keeps its class when
 * the default changes later. Mutates `ingress`.
 */
export async function defaultIngressClassName(cluster: Cluster, ingress: KubeObject): Promise<void> {
  const spec = ingress.spec;
  if (!spec || typeof spec !== 'object' || (spec.ingressClassName !== undefined && spec.ingressClassName !== null)) return;
  if (ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return;
  const chosen = defaultIngressClass((await cluster.list(resources.ingressclasses)).items);
  if (chosen) spec.ingressClassName = chosen.metadata.name;
}
