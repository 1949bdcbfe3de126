import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { compileNetworkPolicies, EGRESS_CHAIN, INGRESS_CHAIN } from '../../../../runtime/network-policy/compile-network-policies.js';
import type { PolicyPod } from '../../../../runtime/network-policy/policy-pod.js';

/** `nft -c` (check mode) parses and validates against the kernel but loads nothing; it needs root and nft. */
function nftCheck(script: string): { ok: boolean; stderr: string } {
  const r = spawnSync('nft', ['-c', '-f', '-'], { input: script, encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.error ? String(r.error) : r.stderr };
}

function whyNotNft(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for nft -c';
  const probe = nftCheck('table inet np_probe {}\n');
  if (!probe.ok) return `nft -c unavailable: ${probe.stderr.trim().split('\n')[0]}`;
  return undefined;
}

const skip = whyNotNft();
const table = `np_check_${process.pid}`;

function np(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

const pods: PolicyPod[] = ['a', 'b', 'c', 'd'].map((name, i) => ({
  namespace: i < 2 ? 'x' : 'y',
  name,
  labels: { pod: name },
  ip: `10.244.0.${10 + i}`,
  ports: [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'dns', containerPort: 5353, protocol: 'UDP' },
  ],
}));

// Every rule form the compiler writes: single and merged addresses, CIDRs and ranges, port sets and ranges, all protocols.
const policies = [
  np('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  np('x', 'web', {
    podSelector: { matchLabels: { pod: 'a' } },
    ingress: [
      { from: [{ podSelector: { matchLabels: { pod: 'b' } } }, { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }], ports: [{ port: 80 }, { port: 8000, endPort: 8100 }, { port: 'http' }] },
      { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'SCTP' }, { protocol: 'UDP', port: 'dns' }] },
    ],
    egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }, { port: 53, protocol: 'UDP' }] }, { to: [{ ipBlock: { cidr: '10.244.0.13/32' } }] }],
  }),
  np('y', 'nobody', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'nobody' } } }] }] }),
];

// The base chains as the lead wires them, so `reject` is checked against the hooks that reach it.
const baseChains = [
  '  chain forward {',
  '    type filter hook forward priority filter; policy accept;',
  '    ct state established,related accept',
  `    ct state new jump ${EGRESS_CHAIN}`,
  `    ct state new jump ${INGRESS_CHAIN}`,
  '  }',
  '  chain input {',
  '    type filter hook input priority filter; policy accept;',
  `    ct state new jump ${EGRESS_CHAIN}`,
  '  }',
];

describe('compiled network policies in nft', () => {
  it.skipIf(skip !== undefined)(`load in check mode as chain blocks and as add rule commands${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const { chains, problems } = compileNetworkPolicies({ policies, pods, namespaces: [] });
    expect(problems).toEqual([]);
    expect(chains.size).toBeGreaterThan(3);

    const blocks = [...chains].flatMap(([name, rules]) => [`  chain ${name} {`, ...rules.map((r) => `    ${r}`), '  }']);
    const blockScript = [`table inet ${table} {`, ...blocks, ...baseChains, '}', ''].join('\n');
    const asBlocks = nftCheck(blockScript);
    expect(asBlocks.stderr).toBe('');
    expect(asBlocks.ok).toBe(true);

    const commands = [
      `add table inet ${table}`,
      ...[...chains.keys()].map((name) => `add chain inet ${table} ${name}`),
      ...[...chains].flatMap(([name, rules]) => rules.map((r) => `add rule inet ${table} ${name} ${r}`)),
      `table inet ${table} {`,
      ...baseChains,
      '}',
      '',
    ].join('\n');
    const asCommands = nftCheck(commands);
    expect(asCommands.stderr).toBe('');
    expect(asCommands.ok).toBe(true);
  });

  it.skipIf(skip !== undefined)(`load in check mode with no policies${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const { chains } = compileNetworkPolicies({ policies: [], pods, namespaces: [] });
    const blocks = [...chains].flatMap(([name, rules]) => [`  chain ${name} {`, ...rules.map((r) => `    ${r}`), '  }']);
    const result = nftCheck([`table inet ${table} {`, ...blocks, ...baseChains, '}', ''].join('\n'));
    expect(result.stderr).toBe('');
    expect(result.ok).toBe(true);
  });
});
