import type { KubeObject } from '../kube/object.js';

export type PolicyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface PolicyPodPort {
  name?: string;
  containerPort: number;
  protocol: PolicyProtocol;
}

/** What the policy compiler needs of a pod: who it is, what it is labelled, where it is, what it serves. */
export interface PolicyPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** The pod's IPv4 address; a pod without one is neither policed nor a peer. */
  ip: string;
  /** Container ports, which resolve named ports in policies. */
  ports: PolicyPodPort[];
}

const PROTOCOLS = new Set<string>(['TCP', 'UDP', 'SCTP']);

/**
 * The policy view of a Pod, or undefined while it has no address or once it
 * has finished: a finished pod's address goes back to the pool and may soon
 * belong to another pod. A pending pod with an address is included, so it is
 * isolated from its first packet. A hostNetwork pod has the host's address
 * and is not on the pod network, so policies neither police nor select it,
 * as in most Kubernetes network plugins.
 */
export function policyPodOf(pod: KubeObject): PolicyPod | undefined {
  const phase = pod.status?.phase;
  const ip = pod.status?.podIP;
  if (phase === 'Succeeded' || phase === 'Failed' || typeof ip !== 'string' || ip === '') return undefined;
  if (pod.spec?.hostNetwork === true) return undefined;
  const ports: PolicyPodPort[] = [];
  // Init containers count too: a restartable (sidecar) init container serves its ports like any container.
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c?.ports ?? []) {
      const protocol = p?.protocol ?? 'TCP';
      if (typeof p?.containerPort !== 'number' || !PROTOCOLS.has(protocol)) continue;
      ports.push(typeof p.name === 'string' && p.name !== '' ? { name: p.name, containerPort: p.containerPort, protocol } : { containerPort: p.containerPort, protocol });
    }
  }
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    labels: { ...(pod.metadata.labels ?? {}) },
    ip,
    ports,
  };
}
