import type { Cluster } from '../objects/cluster.js';
import { getIfExists } from '../objects/get-if-exists.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';

const LABELS = { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS', 'app.kubernetes.io/managed-by': 'baton' };
const PORTS = [
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'dns-tcp', port: 53, protocol: 'TCP' },
];

/**
 * The `kube-system/kube-dns` Service tools and charts expect, at the cluster
 * DNS address pods' resolv.conf names, with Endpoints (no selector: the
 * server is the runtime, not a pod) on the bridge's gateway where it listens.
 * Re-written at every start, so a changed gateway or a user's edit is healed.
 */
export async function ensureKubeDnsService(cluster: Cluster, clusterIP: string, serverIP: string): Promise<void> {
  const service = await getIfExists(cluster, resources.services, 'kube-system', 'kube-dns');
  if (service && service.spec?.clusterIP !== clusterIP) {
    // A ClusterIP cannot change in place; one taken from an earlier service range is replaced.
    await cluster.delete(resources.services, 'kube-system', 'kube-dns');
  }
  if (!service || service.spec?.clusterIP !== clusterIP) {
    await cluster.create(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: LABELS },
      spec: { clusterIP, ports: PORTS.map((p) => ({ ...p, targetPort: p.port })) },
    });
  }
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: LABELS },
    subsets: [{ addresses: [{ ip: serverIP }], ports: PORTS }],
  };
  const existing = await getIfExists(cluster, resources.endpoints, 'kube-system', 'kube-dns');
  if (!existing) await cluster.create(resources.endpoints, endpoints);
  else await cluster.update(resources.endpoints, { ...endpoints, metadata: { ...existing.metadata, labels: LABELS } });
}
