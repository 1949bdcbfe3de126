import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { compileNetworkPolicies, type CompiledNetworkPolicies, type NetworkPolicyInput } from '../../../../runtime/network-policy/compile-network-policies.js';
import { evaluateChains, type TestPacket } from '../../../../runtime/network-policy/evaluate-chains.js';
import type { PolicyPod } from '../../../../runtime/network-policy/policy-pod.js';

// The upstream netpol e2e world: namespaces x, y, z with pods a, b, c each, serving 80 and 81 on every protocol.
const NAMESPACES = ['x', 'y', 'z'];
const POD_NAMES = ['a', 'b', 'c'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

function worldPods(): PolicyPod[] {
  return NAMESPACES.flatMap((ns, n) =>
    POD_NAMES.map((name, p) => ({
      namespace: ns,
      name,
      labels: { pod: name },
      ip: `10.244.${n}.${10 + p}`,
      ports: PROTOCOLS.flatMap((protocol) => [80, 81].map((port) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }))),
    })),
  );
}

const namespaceObjects: KubeObject[] = NAMESPACES.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ns } } }));

function np(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

function compile(policies: KubeObject[], extra: Partial<NetworkPolicyInput> = {}): CompiledNetworkPolicies {
  return compileNetworkPolicies({ policies, pods: worldPods(), namespaces: namespaceObjects, ...extra });
}

const ipOf = (id: string): string => worldPods().find((p) => `${p.namespace}/${p.name}` === id)!.ip;
const allIds = worldPods().map((p) => `${p.namespace}/${p.name}`);

/** Every `from->to` pod pair (loopback left out, as upstream ignores it) the chains reject, sorted. */
function deniedPairs(compiled: CompiledNetworkPolicies, port: number, protocol: TestPacket['protocol'] = 'tcp'): string[] {
  const out: string[] = [];
  for (const from of allIds) {
    for (const to of allIds) {
      if (from === to) continue;
      const verdict = evaluateChains(compiled.chains, { hook: 'forward', saddr: ipOf(from), daddr: ipOf(to), protocol, dport: port });
      if (verdict === 'rejected') out.push(`${from}->${to}`);
    }
  }
  return out.sort();
}

/** The pairs a `from`/`to` pattern (`x/a`, `x/*`, `*\/*`) names, loopback left out. */
function pairs(from: string, to: string): string[] {
  const match = (pattern: string, id: string) => {
    const [ns, pod] = pattern.split('/');
    const [idNs, idPod] = id.split('/');
    return (ns === '*' || ns === idNs) && (pod === '*' || pod === idPod);
  };
  return allIds.flatMap((f) => allIds.filter((t) => f !== t && match(from, f) && match(to, t)).map((t) => `${f}->${t}`));
}

const union = (...lists: string[][]): string[] => [...new Set(lists.flat())].sort();
const minus = (list: string[], ...drop: string[][]): string[] => list.filter((p) => !drop.flat().includes(p)).sort();

const podA = { matchLabels: { pod: 'a' } };
const podB = { matchLabels: { pod: 'b' } };
const nsY = { matchLabels: { 'kubernetes.io/metadata.name': 'y' } };
const notNsX = { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }] };

interface Case {
  name: string;
  policies: KubeObject[];
  port?: number;
  protocol?: TestPacket['protocol'];
  denied: string[];
}

// Expectations follow the upstream conformance suite (test/e2e/network/netpol/network_policy.go).
const cases: Case[] = [
  { name: 'no policy allows everything', policies: [], denied: [] },
  {
    name: 'default-deny-ingress (policyTypes defaulted to Ingress)',
    policies: [np('x', 'deny', { podSelector: {} })],
    denied: pairs('*/*', 'x/*'),
  },
  {
    name: 'default-deny-ingress with ingress: [] and explicit policyTypes',
    policies: [np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] })],
    denied: pairs('*/*', 'x/*'),
  },
  {
    name: 'default-deny-all',
    policies: [np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    denied: union(pairs('*/*', 'x/*'), pairs('x/*', '*/*')),
  },
  {
    name: 'egress rules without policyTypes isolate ingress too',
    policies: [np('x', 'eg', { podSelector: {}, egress: [{ to: [{ podSelector: podB }] }] })],
    denied: union(pairs('*/*', 'x/*'), pairs('x/*', '*/*')),
  },
  {
    name: 'policyTypes [Egress] leaves ingress alone and ignores ingress rules',
    policies: [np('x', 'eg', { podSelector: {}, policyTypes: ['Egress'], ingress: [], egress: [{ to: [{ podSelector: podB }] }] })],
    denied: minus(pairs('x/*', '*/*'), pairs('x/*', 'x/b')),
  },
  {
    name: 'allow from pods in the server namespace by podSelector',
    policies: [np('x', 'x-a-allows-x-b', { podSelector: podA, ingress: [{ from: [{ podSelector: podB }] }] })],
    denied: minus(pairs('*/*', 'x/a'), ['x/b->x/a']),
  },
  {
    name: 'deny-all plus allow everyone to one target',
    policies: [
      np('x', 'deny', { podSelector: {} }),
      np('x', 'allow-a', { podSelector: podA, ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] }),
    ],
    denied: union(pairs('*/*', 'x/b'), pairs('*/*', 'x/c')),
  },
  {
    name: 'namespaceSelector {} allows pods of every namespace',
    policies: [np('x', 'all-ns', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    denied: [],
  },
  {
    name: 'allow only from another namespace by its name label',
    policies: [np('x', 'from-y', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: nsY }] }] })],
    denied: union(pairs('x/*', 'x/a'), pairs('z/*', 'x/a')),
  },
  {
    name: 'namespaceSelector by a label of the Namespace object',
    policies: [np('x', 'from-y', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    denied: union(pairs('x/*', 'x/a'), pairs('z/*', 'x/a')),
  },
  {
    name: 'podSelector with matchExpressions In',
    policies: [np('x', 'expr', { podSelector: podA, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }] })],
    denied: minus(pairs('*/*', 'x/a'), ['x/b->x/a']),
  },
  {
    name: 'two peers are OR: other namespaces, or pod b here',
    policies: [np('x', 'or', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: notNsX }, { podSelector: podB }] }] })],
    denied: ['x/c->x/a'],
  },
  {
    name: 'podSelector and namespaceSelector in one peer are AND',
    policies: [np('x', 'and', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: notNsX, podSelector: podB }] }] })],
    denied: minus(pairs('*/*', 'x/a'), ['y/b->x/a', 'z/b->x/a']),
  },
  {
    name: 'Exists and DoesNotExist',
    policies: [
      np('x', 'exists', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'Exists' }] },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }] }],
      }),
    ],
    denied: union(pairs('y/*', 'x/*'), pairs('z/*', 'x/*')),
  },
  {
    name: 'port 81 only from namespace y: port 81',
    policies: [np('x', 'p81', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: nsY }], ports: [{ port: 81, protocol: 'TCP' }] }] })],
    port: 81,
    denied: union(pairs('x/*', 'x/a'), pairs('z/*', 'x/a')),
  },
  {
    name: 'port 81 only from namespace y: port 80',
    policies: [np('x', 'p81', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: nsY }], ports: [{ port: 81, protocol: 'TCP' }] }] })],
    port: 80,
    denied: pairs('*/*', 'x/a'),
  },
  {
    name: 'stacked policies are a union',
    policies: [
      np('x', 'p81', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: nsY }], ports: [{ port: 81 }] }] }),
      np('x', 'p80', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: nsY }], ports: [{ port: 80 }] }] }),
    ],
    port: 80,
    denied: union(pairs('x/*', 'x/a'), pairs('z/*', 'x/a')),
  },
  {
    name: 'ingress: [{}] allows all',
    policies: [np('x', 'allow-all', { podSelector: {}, ingress: [{}] })],
    port: 81,
    denied: [],
  },
  {
    name: 'allow-all ingress takes precedence over a port-80 policy',
    policies: [np('x', 'p80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }), np('x', 'all', { podSelector: {}, ingress: [{}] })],
    port: 81,
    denied: [],
  },
  {
    name: 'named ingress port, allowed number',
    policies: [np('x', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    port: 81,
    denied: [],
  },
  {
    name: 'named ingress port, other number',
    policies: [np('x', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] })],
    port: 80,
    denied: pairs('*/*', 'x/*'),
  },
  {
    name: 'named ingress port from namespace y',
    policies: [np('x', 'named', { podSelector: podA, ingress: [{ from: [{ namespaceSelector: nsY }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }] })],
    port: 80,
    denied: union(pairs('x/*', 'x/a'), pairs('z/*', 'x/a')),
  },
  {
    name: 'named egress port resolves on each destination: allowed number',
    policies: [np('x', 'eg', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 80,
    denied: [],
  },
  {
    name: 'named egress port resolves on each destination: other number',
    policies: [np('x', 'eg', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 81,
    denied: pairs('x/*', '*/*'),
  },
  {
    name: 'egress allow-all takes precedence over a port-80 policy',
    policies: [
      np('x', 'p80', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
      np('x', 'all', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
    ],
    port: 81,
    denied: [],
  },
  {
    name: 'protocol without port allows every port of it: TCP',
    policies: [np('x', 'tcp', { podSelector: podA, ingress: [{ ports: [{ protocol: 'TCP' }] }] })],
    port: 81,
    denied: [],
  },
  {
    name: 'protocol without port allows every port of it: UDP denied',
    policies: [np('x', 'tcp', { podSelector: podA, ingress: [{ ports: [{ protocol: 'TCP' }] }] })],
    port: 80,
    protocol: 'udp',
    denied: pairs('*/*', 'x/a'),
  },
  {
    name: 'SCTP is not TCP',
    policies: [np('x', 'deny', { podSelector: {} }), np('x', 'sctp', { podSelector: podA, ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] })],
    port: 81,
    denied: pairs('*/*', 'x/*'),
  },
  {
    name: 'SCTP allowed by an SCTP rule',
    policies: [np('x', 'deny', { podSelector: {} }), np('x', 'sctp', { podSelector: podA, ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] })],
    port: 81,
    protocol: 'sctp',
    denied: union(pairs('*/*', 'x/b'), pairs('*/*', 'x/c')),
  },
  {
    name: 'UDP-only policy does not allow TCP',
    policies: [np('x', 'udp', { podSelector: podA, ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }] })],
    port: 81,
    denied: pairs('*/*', 'x/a'),
  },
  {
    name: 'endPort allows the range, inclusive',
    policies: [np('x', 'range', { podSelector: podA, ingress: [{ ports: [{ port: 79, endPort: 80 }] }] })],
    port: 80,
    denied: [],
  },
  {
    name: 'endPort range excludes the next port',
    policies: [np('x', 'range', { podSelector: podA, ingress: [{ ports: [{ port: 79, endPort: 80 }] }] })],
    port: 81,
    denied: pairs('*/*', 'x/a'),
  },
  {
    name: 'egress to a server in a CIDR block',
    policies: [np('x', 'cidr', { podSelector: podA, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.1.11/32' } }] }] })],
    denied: minus(pairs('x/a', '*/*'), ['x/a->y/b']),
  },
  {
    name: 'egress CIDR block except one server',
    policies: [np('x', 'cidr', { podSelector: podA, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.0.11/32'] } }] }] })],
    denied: ['x/a->x/b'],
  },
  {
    name: 'an address in one block\'s except and in another policy\'s block is allowed',
    policies: [
      np('x', 'cidr', { podSelector: podA, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.0.11/32'] } }] }] }),
      np('x', 'b', { podSelector: podA, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.11/32' } }] }] }),
    ],
    denied: [],
  },
  {
    name: 'ingress from an ipBlock applies to pod addresses',
    policies: [np('x', 'cidr', { podSelector: podA, ingress: [{ from: [{ ipBlock: { cidr: '10.244.2.0/24' } }] }] })],
    denied: union(pairs('x/*', 'x/a'), pairs('y/*', 'x/a')),
  },
  {
    name: 'ingress and egress are controlled independently',
    policies: [
      np('x', 'egress-any', { podSelector: podA, policyTypes: ['Egress'], egress: [{}] }),
      np('x', 'deny-ingress', { podSelector: podA, policyTypes: ['Ingress'] }),
    ],
    denied: pairs('*/*', 'x/a'),
  },
  {
    name: 'egress deny on the client wins over an ingress allow on the server',
    policies: [
      np('x', 'deny-egress', { podSelector: podA, policyTypes: ['Egress'] }),
      np('y', 'allow-all', { podSelector: {}, ingress: [{}] }),
    ],
    denied: pairs('x/a', '*/*'),
  },
  {
    name: 'egress to another namespace by podSelector and namespaceSelector',
    policies: [np('x', 'eg', { podSelector: podA, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: nsY, podSelector: podB }] }] })],
    denied: minus(pairs('x/a', '*/*'), ['x/a->y/b']),
  },
  {
    name: 'a policy selects pods of its own namespace only',
    policies: [np('y', 'deny', { podSelector: podA })],
    denied: pairs('*/*', 'y/a'),
  },
];

describe('compileNetworkPolicies semantics', () => {
  it.each(cases)('$name', ({ policies, port, protocol, denied }) => {
    const compiled = compile(policies);
    expect(compiled.problems).toEqual([]);
    expect(deniedPairs(compiled, port ?? 80, protocol ?? 'tcp')).toEqual([...denied].sort());
  });

  it('allows cluster DNS by selector through an extra peer, on the input hook', () => {
    const dns: PolicyPod = {
      namespace: 'kube-system',
      name: 'dns',
      labels: { 'k8s-app': 'kube-dns' },
      ip: '10.244.0.1',
      ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }],
    };
    const policies = [
      np('x', 'dns-only', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ port: 'dns', protocol: 'UDP' }],
          },
        ],
      }),
    ];
    const toDns = (port: number, protocol: 'udp' | 'tcp'): TestPacket => ({ hook: 'input', saddr: ipOf('x/a'), daddr: dns.ip, protocol, dport: port });
    const withDns = compile(policies, { extraPeers: [dns] });
    expect(evaluateChains(withDns.chains, toDns(53, 'udp'))).toBe('allowed');
    expect(evaluateChains(withDns.chains, toDns(53, 'tcp'))).toBe('rejected');
    expect(evaluateChains(withDns.chains, toDns(80, 'udp'))).toBe('rejected');
    expect(evaluateChains(withDns.chains, { ...toDns(53, 'udp'), saddr: ipOf('y/a') })).toBe('allowed');
    // The extra peer is only a peer: it gets no chain, and without it nothing selects the gateway.
    expect(withDns.chains.get('np-ingress')!.join('\n')).not.toContain(dns.ip);
    expect(evaluateChains(compile(policies).chains, toDns(53, 'udp'))).toBe('rejected');
  });

  it('checks only egress for traffic to the host', () => {
    const compiled = compile([np('x', 'deny', { podSelector: {} })]);
    expect(evaluateChains(compiled.chains, { hook: 'input', saddr: ipOf('x/a'), daddr: '10.244.0.1', protocol: 'tcp', dport: 80 })).toBe('allowed');
  });

  it('resolves a named egress port through an ipBlock on the pods inside the block', () => {
    const compiled = compile([
      np('x', 'eg', { podSelector: podA, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.1.0/24' } }], ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }] }),
    ]);
    expect(deniedPairs(compiled, 81, 'udp')).toEqual(minus(pairs('x/a', '*/*'), pairs('x/a', 'y/*')));
    expect(deniedPairs(compiled, 80, 'udp')).toEqual(pairs('x/a', '*/*'));
  });

  it('allows nothing for a named port no pod has, rather than every port', () => {
    const compiled = compile([
      np('x', 'in', { podSelector: podA, ingress: [{ ports: [{ port: 'no-such-port' }] }] }),
      np('x', 'eg', { podSelector: podB, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'no-such-port' }] }] }),
    ]);
    expect(deniedPairs(compiled, 80)).toEqual(union(pairs('*/*', 'x/a'), pairs('x/b', '*/*')));
  });

  it('allows nothing for peers that select no pod, and writes no empty set', () => {
    const compiled = compile([np('x', 'nobody', { podSelector: podA, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'nobody' } } }], ports: [{ port: 80 }] }] })]);
    expect(deniedPairs(compiled, 80)).toEqual(pairs('*/*', 'x/a'));
    expect([...compiled.chains.values()].flat().join('\n')).not.toMatch(/\{\s*\}/);
  });

  it('reports invalid parts and lets them allow nothing', () => {
    const compiled = compile([
      np('x', 'bad', {
        podSelector: podA,
        ingress: [
          { from: [{ ipBlock: { cidr: '10.244.0.0/33' } }] },
          { from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.245.0.0/16'] } }] },
          { from: [{}] },
          { ports: [{ port: 70000 }, { port: 80, protocol: 'ICMP' }, { port: 'serve-80-tcp', endPort: 90 }, { port: 90, endPort: 80 }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: [] }] } }] },
        ],
      }),
    ]);
    expect(compiled.problems.map((p) => `${p.namespace}/${p.name} ${p.field}`)).toEqual([
      'x/bad spec.ingress[0].from[0].ipBlock.cidr',
      'x/bad spec.ingress[1].from[0].ipBlock.except[0]',
      'x/bad spec.ingress[2].from[0]',
      'x/bad spec.ingress[3].ports[0].port',
      'x/bad spec.ingress[3].ports[1].protocol',
      'x/bad spec.ingress[3].ports[2].endPort',
      'x/bad spec.ingress[3].ports[3].endPort',
      'x/bad spec.ingress[4].from[0].podSelector.matchExpressions[0].values',
    ]);
    expect(deniedPairs(compiled, 80)).toEqual(pairs('*/*', 'x/a'));
  });

  it('reports pods that share an address and polices only the first', () => {
    const pods = worldPods();
    pods.push({ ...pods[0], name: 'zz-copy' });
    const compiled = compileNetworkPolicies({ policies: [np('x', 'deny', { podSelector: {} })], pods, namespaces: namespaceObjects });
    expect(compiled.problems).toEqual([expect.objectContaining({ kind: 'Pod', namespace: 'x', name: 'zz-copy', field: 'status.podIP' })]);
    expect(compiled.chains.get('np-ingress')![0].match(/10\.244\.0\.10 :/g)).toHaveLength(1);
  });
});

describe('compileNetworkPolicies output', () => {
  it('always has both dispatch chains, empty without policies', () => {
    const compiled = compile([]);
    expect([...compiled.chains]).toEqual([
      ['np-ingress', []],
      ['np-egress', []],
    ]);
  });

  it('dispatches through one verdict map and ends each pod chain with the rejects', () => {
    const compiled = compile([np('x', 'x-a-allows-x-b', { podSelector: podA, ingress: [{ from: [{ podSelector: podB }], ports: [{ port: 80 }, { port: 443 }] }] })]);
    const [ingress] = compiled.chains.get('np-ingress')!;
    const m = /^ip daddr vmap \{ 10\.244\.0\.10 : jump (np-in-[0-9a-f]{16}) \}$/.exec(ingress);
    expect(m).not.toBeNull();
    expect(compiled.chains.get(m![1])).toEqual(['ip saddr 10.244.0.11 tcp dport { 80, 443 } return', 'meta l4proto tcp reject with tcp reset', 'reject with icmpx admin-prohibited']);
    expect(compiled.chains.get('np-egress')).toEqual([]);
  });

  it('gives pods policed alike one chain, named the same whatever the input order', () => {
    const policies = [np('x', 'deny', { podSelector: {} }), np('y', 'deny', { podSelector: {} })];
    const a = compile(policies);
    const b = compileNetworkPolicies({ policies: [...policies].reverse(), pods: worldPods().reverse(), namespaces: [...namespaceObjects].reverse() });
    expect([...a.chains]).toEqual([...b.chains]);
    expect(a.chains.size).toBe(3);
    for (const name of a.chains.keys()) expect(name.length).toBeLessThanOrEqual(64);
  });

  it('writes peer addresses as merged ranges', () => {
    const compiled = compile([
      np('x', 'r', {
        podSelector: podA,
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }, { namespaceSelector: {} }, { ipBlock: { cidr: '192.168.1.7/32' } }] }],
      }),
    ]);
    const chain = compiled.chains.get(/jump (\S+) \}/.exec(compiled.chains.get('np-ingress')![0])![1])!;
    expect(chain[0]).toBe('ip saddr { 10.0.0.0-10.243.255.255, 10.244.0.10-10.244.0.12, 10.244.1.10-10.244.1.12, 10.244.2.10-10.244.2.12, 10.245.0.0-10.255.255.255, 192.168.1.7 } return');
  });
});

describe('compileNetworkPolicies at scale', () => {
  it('compiles 500 pods and 50 policies correctly', () => {
    const pods: PolicyPod[] = [];
    for (let i = 0; i < 500; i++) {
      pods.push({
        namespace: `ns${i % 10}`,
        name: `app${i % 25}-${i}`,
        labels: { app: `app${i % 25}`, tier: i % 2 ? 'web' : 'db' },
        ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 10}`,
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      });
    }
    const policies: KubeObject[] = [];
    for (let p = 0; p < 50; p++) {
      const ns = `ns${p % 10}`;
      policies.push(
        np(ns, `p${p}`, {
          podSelector: { matchLabels: { app: `app${p % 25}` } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }, { namespaceSelector: { matchLabels: { team: `t${p % 3}` } } }], ports: [{ port: 'http' }] }],
          egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: 'db' } } }], ports: [{ port: 8080 }] }],
        }),
      );
    }
    const namespaces: KubeObject[] = Array.from({ length: 10 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${i}`, labels: { team: `t${i % 3}` } } }));
    const compiled = compileNetworkPolicies({ policies, pods, namespaces });
    expect(compiled.problems).toEqual([]);

    const pod = (i: number) => pods[i];
    const packet = (from: number, to: number, dport = 8080): TestPacket => ({ hook: 'forward', saddr: pod(from).ip, daddr: pod(to).ip, protocol: 'tcp', dport });
    // The expected verdict read straight from the generated policies, independent of the compiler.
    const expectAllowed = (from: number, to: number, dport: number) => {
      const src = pod(from);
      const dst = pod(to);
      const selecting = (p: PolicyPod) => policies.filter((pol) => pol.metadata.namespace === p.namespace && pol.spec.podSelector.matchLabels.app === p.labels.app);
      const teamOf = (ns: string) => `t${Number(ns.slice(2)) % 3}`;
      const egressOk = selecting(src).length === 0 || (dst.labels.tier === 'db' && dport === 8080);
      const ingressOk =
        selecting(dst).length === 0 ||
        selecting(dst).some((pol) => {
          const fromWeb = src.namespace === pol.metadata.namespace && src.labels.tier === 'web';
          const fromTeam = teamOf(src.namespace) === pol.spec.ingress[0].from[1].namespaceSelector.matchLabels.team;
          return (fromWeb || fromTeam) && dport === 8080;
        });
      return egressOk && ingressOk;
    };
    for (let from = 0; from < 500; from += 7) {
      for (let to = 3; to < 500; to += 11) {
        if (from === to) continue;
        for (const dport of [8080, 80]) {
          expect(evaluateChains(compiled.chains, packet(from, to, dport)), `${from}->${to}:${dport}`).toBe(expectAllowed(from, to, dport) ? 'allowed' : 'rejected');
        }
      }
    }
  });
});
