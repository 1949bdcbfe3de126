import { describe, expect, it } from 'vitest';
import { previewNetworkPolicy, type BridgedDependency } from '../../../../controller/previews/preview-network-policy.js';
import { compileNetworkPolicies } from '../../../../runtime/network-policy/index.js';
import { evaluateChains } from '../../../../runtime/network-policy/evaluate-chains.js';
import type { PolicyPod } from '../../../../runtime/network-policy/policy-pod.js';

// The generated policy is compiled by the runtime's own NetworkPolicy compiler and packets are
// run through the chains it writes: the table says who a preview pod may reach.

const pod = (namespace: string, name: string, ip: string, labels: Record<string, string> = {}): PolicyPod => ({
  namespace,
  name,
  labels: { app: name, ...labels },
  ip,
  ports: [{ containerPort: 8080, protocol: 'TCP' }],
});

const previewCatalog = pod('pr-7', 'catalog', '10.244.0.10');
const previewWorker = pod('pr-7', 'worker', '10.244.0.11');
const pricing = pod('shop', 'pricing', '10.244.0.20');
const inventory = pod('shop', 'inventory', '10.244.0.21');
const payments = pod('payments', 'payments', '10.244.0.22');
const otherPreview = pod('pr-8', 'catalog', '10.244.0.30');
const dns: PolicyPod = { namespace: 'kube-system', name: 'dns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.1', ports: [] };
const PRICING_SERVICE_IP = '10.96.0.20';

const pricingBridge: BridgedDependency = { app: 'pricing', namespace: 'shop', selector: { app: 'pricing' }, clusterIP: PRICING_SERVICE_IP };

function reach(dependencies: BridgedDependency[]) {
  const { chains, problems } = compileNetworkPolicies({
    policies: [previewNetworkPolicy(7, dependencies)],
    pods: [previewCatalog, previewWorker, pricing, inventory, payments, otherPreview],
    namespaces: [],
    extraPeers: [dns],
  });
  expect(problems).toEqual([]);
  return (from: PolicyPod | string, to: PolicyPod | string, protocol: 'tcp' | 'udp' = 'tcp', dport = 8080) =>
    evaluateChains(chains, {
      hook: to === dns ? 'input' : 'forward',
      saddr: typeof from === 'string' ? from : from.ip,
      daddr: typeof to === 'string' ? to : to.ip,
      protocol,
      dport,
    });
}

describe('previewNetworkPolicy', () => {
  it('is one policy in pr-N selecting every pod, marked as the preview', () => {
    expect(previewNetworkPolicy(7, [])).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'baton-preview-isolation', namespace: 'pr-7', labels: { 'baton.dev/preview': '7' } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  const cases: Array<{ what: string; deps: BridgedDependency[]; from: PolicyPod; to: PolicyPod | string; protocol?: 'tcp' | 'udp'; port?: number; expected: 'allowed' | 'rejected' }> = [
    { what: 'own pods, both ways', deps: [], from: previewCatalog, to: previewWorker, expected: 'allowed' },
    { what: 'DNS over UDP', deps: [], from: previewCatalog, to: dns, protocol: 'udp', port: 53, expected: 'allowed' },
    { what: 'DNS over TCP', deps: [], from: previewCatalog, to: dns, protocol: 'tcp', port: 53, expected: 'allowed' },
    { what: 'kube-dns on another port', deps: [], from: previewCatalog, to: dns, protocol: 'tcp', port: 8080, expected: 'rejected' },
    { what: 'a production pod, no dependsOn', deps: [], from: previewCatalog, to: pricing, expected: 'rejected' },
    { what: 'a production Service address, no dependsOn', deps: [], from: previewCatalog, to: PRICING_SERVICE_IP, expected: 'rejected' },
    { what: 'another preview', deps: [], from: previewCatalog, to: otherPreview, expected: 'rejected' },
    { what: 'the bridged dependency pods', deps: [pricingBridge], from: previewCatalog, to: pricing, expected: 'allowed' },
    { what: "the bridged dependency's Service address", deps: [pricingBridge], from: previewCatalog, to: PRICING_SERVICE_IP, expected: 'allowed' },
    { what: 'a production pod of the same namespace that is not a dependency', deps: [pricingBridge], from: previewCatalog, to: inventory, expected: 'rejected' },
    { what: 'a production pod of another namespace', deps: [pricingBridge], from: previewCatalog, to: payments, expected: 'rejected' },
    { what: 'production reaching into the preview', deps: [pricingBridge], from: pricing, to: previewCatalog, expected: 'rejected' },
    { what: 'another preview reaching in', deps: [pricingBridge], from: otherPreview, to: previewCatalog, expected: 'rejected' },
    { what: 'a production pod reached by an unpoliced pod (production is not fenced by it)', deps: [], from: payments, to: pricing, expected: 'allowed' },
  ];

  it.each(cases)('$what: $expected', ({ deps, from, to, protocol, port, expected }) => {
    expect(reach(deps)(from, to, protocol, port)).toBe(expected);
  });

  it('a dependency without a selector is reached only at its Service address', () => {
    const check = reach([{ app: 'pricing', namespace: 'shop', clusterIP: PRICING_SERVICE_IP }]);
    expect(check(previewCatalog, PRICING_SERVICE_IP)).toBe('allowed');
    expect(check(previewCatalog, pricing)).toBe('rejected');
  });
});
