import type { KubeObject } from '../../runtime/kube/object.js';
import { previewNamespace } from '../apps/preview-names.js';
import { PREVIEW_LABEL } from '../plan/preview-transform.js';

/** The name of the policy that fences in every preview namespace. */
export const PREVIEW_POLICY_NAME = 'baton-preview-isolation';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A production Service a preview reaches through its bridge (controller/previews/preview-bridges.ts). */
export interface BridgedDependency {
  /** The production app it belongs to. */
  app: string;
  /** The production Service's namespace. */
  namespace: string;
  /** The production Service's selector: its pods are what the preview may reach. Absent: only the Service address. */
  selector?: Record<string, string>;
  /** The production Service's cluster IP, which the bridge's Endpoints name. */
  clusterIP: string;
}

/**
 * The NetworkPolicy of preview `number`: it selects every pod of `pr-N`.
 * Ingress only from pods of `pr-N` itself; the ingress proxy and the kubelet
 * connect from the host, which NetworkPolicy never polices (runtime/network-policy),
 * so previews stay reachable at their URL. Egress only to pods of `pr-N`, to
 * cluster DNS (kube-system, `k8s-app: kube-dns`, UDP/TCP 53), and to each
 * bridged dependency: the pods its production Service selects and that
 * Service's cluster IP (the bridge's Endpoints point at it, so a policy sees
 * that address after the bridge's DNAT). Nothing else of production is reachable.
 */
export function previewNetworkPolicy(number: number, dependencies: readonly BridgedDependency[]): KubeObject {
  const namespace = previewNamespace(number);
  const ownPods = { podSelector: {} };
  const dns = {
    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const sorted = [...dependencies].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.clusterIP.localeCompare(b.clusterIP));
  const dependencyPeers = sorted.flatMap((d) => [
    ...(d.selector && Object.keys(d.selector).length > 0
      ? [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: d.namespace } }, podSelector: { matchLabels: { ...d.selector } } }]
      : []),
    { ipBlock: { cidr: `${d.clusterIP}/32` } },
  ]);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: PREVIEW_POLICY_NAME, namespace, labels: { [PREVIEW_LABEL]: String(number) } },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [ownPods] }],
      egress: [{ to: [ownPods] }, dns, ...(dependencyPeers.length > 0 ? [{ to: dependencyPeers }] : [])],
    },
  } as KubeObject;
}
