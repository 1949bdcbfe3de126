import { createHash } from 'node:crypto';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { resources } from '../../resources/registry.js';

/** The names in-cluster clients use for the API; the serving certificate carries them, as kube-apiserver's does. */
export const KUBERNETES_SERVICE_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/**
 * The `kubernetes` Service's ClusterIP: the one it has, else the first
 * address of the service range, as kube-apiserver reserves it. Without a
 * range of its own (the userspace proxy's 127.2.0.0/16 is shared by every
 * runtime on the machine) an address drawn from the state dir's path, so two
 * runtimes do not both listen on it.
 */
export async function chooseKubernetesServiceIp(cluster: Cluster, serviceCidr: string | undefined, stateDir: string): Promise<string> {
  const live = await getIfExists(cluster, resources.services, 'default', 'kubernetes');
  if (typeof live?.spec?.clusterIP === 'string' && live.spec.clusterIP !== 'None') return live.spec.clusterIP;
  if (serviceCidr) {
    const parts = serviceCidr.split('/')[0].split('.').map(Number);
    parts[3] += 1;
    return parts.join('.');
  }
  const digest = createHash('sha256').update(stateDir).digest();
  return `127.2.${digest[0]}.${1 + (digest[1] % 254)}`;
}

export interface KubernetesServiceOptions {
  /** The Service's ClusterIP (`chooseKubernetesServiceIp`); a Service made earlier keeps its own. */
  clusterIP: string;
  /** Where the API answers pods: the pod network's gateway, or the API's own host address when pods share the host's network. */
  endpointIP: string;
  /** The API's port, this run's. */
  port: number;
}

const LABELS = { component: 'apiserver', provider: 'kubernetes' };

/**
 * kube-apiserver's kubernetes-service controller, run once per start: the
 * `kubernetes` Service in `default` (ClusterIP, port 443 named https, no
 * selector) and its Endpoints naming this run's API address and port, so
 * in-cluster clients (`KUBERNETES_SERVICE_HOST`, `kubernetes.default.svc`)
 * reach the API.
 */
export async function ensureKubernetesService(cluster: Cluster, options: KubernetesServiceOptions): Promise<void> {
  const ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.port }];
  const live = await getIfExists(cluster, resources.services, 'default', 'kubernetes');
  if (!live) {
    await cluster.create(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: LABELS },
      spec: { type: 'ClusterIP', clusterIP: options.clusterIP, ports, sessionAffinity: 'None' },
    });
  } else if (JSON.stringify(live.spec?.ports) !== JSON.stringify(ports) || live.spec?.selector) {
    await cluster.update(resources.services, { ...live, spec: { ...live.spec, ports, selector: undefined } });
  }
  const subsets = [{ addresses: [{ ip: options.endpointIP }], ports: [{ name: 'https', port: options.port, protocol: 'TCP' }] }];
  const endpoints = await getIfExists(cluster, resources.endpoints, 'default', 'kubernetes');
  if (!endpoints) {
    await cluster.create(resources.endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets });
  } else if (JSON.stringify(endpoints.subsets) !== JSON.stringify(subsets)) {
    await cluster.update(resources.endpoints, { ...endpoints, subsets });
  }
}
