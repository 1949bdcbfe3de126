import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';

/**
 * Publishes where the Ingress is served (`status.loadBalancer.ingress`), as
 * a cloud load balancer controller does, so `kubectl get ingress` shows an
 * ADDRESS and health checks that wait for one pass. Writes only on change;
 * a stale resourceVersion throws Conflict and the reconcile retries.
 */
export async function publishIngressAddress(cluster: Cluster, ingress: KubeObject, ip: string): Promise<void> {
  const wanted = [{ ip }];
  const current = ingress.status?.loadBalancer?.ingress;
  if (JSON.stringify(current) === JSON.stringify(wanted)) return;
  await cluster.update(resources.ingresses, { ...ingress, status: { ...ingress.status, loadBalancer: { ingress: wanted } } }, { status: true, fieldManager: 'baton-ingress' });
}

/** Takes back an address published earlier, when the Ingress moved to another class; another controller's address is left alone. */
export async function withdrawIngressAddress(cluster: Cluster, ingress: KubeObject, ip: string): Promise<void> {
  if (JSON.stringify(ingress.status?.loadBalancer?.ingress) !== JSON.stringify([{ ip }])) return;
  await cluster.update(resources.ingresses, { ...ingress, status: { ...ingress.status, loadBalancer: {} } }, { status: true, fieldManager: 'baton-ingress' });
}
