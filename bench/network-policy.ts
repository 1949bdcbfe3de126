// What compiling NetworkPolicies to nftables chains costs: a generated cluster of
// pods in 10 namespaces under a mix of policies (default deny, namespace and pod
// selectors, named ports, ipBlocks, DNS egress), compiled cold and then repeatedly.
// As root with nft installed it also times `nft -c` (check mode, loads nothing) on
// the output, which is what loading it would parse.
// Run: npx tsx bench/network-policy.ts [pods=500] [policies=50]
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../runtime/kube/object.js';
import { compileNetworkPolicies, type PolicyPod } from '../runtime/network-policy/index.js';

const podCount = Number(process.argv[2] ?? 500);
const policyCount = Number(process.argv[3] ?? 50);
const namespaceCount = 10;

const namespaces: KubeObject[] = Array.from({ length: namespaceCount }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: `team-${i}`, labels: { env: i % 2 ? 'prod' : 'dev' } },
}));

// 25 apps of 20 replicas: replicas share labels and ports, as Deployments make them.
const pods: PolicyPod[] = Array.from({ length: podCount }, (_, i) => ({
  namespace: `team-${i % namespaceCount}`,
  name: `app${i % 25}-${i}`,
  labels: { app: `app${i % 25}`, tier: ['web', 'api', 'db'][i % 3] },
  ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`,
  ports: [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
  ],
}));

const dns: PolicyPod = { namespace: 'kube-system', name: 'dns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.1', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] };

function policy(i: number): KubeObject {
  // Every namespace gets every shape, each policy a different app.
  const namespace = `team-${Math.floor(i / 5) % namespaceCount}`;
  const meta = { namespace, name: `policy-${i}` };
  const toDns = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] };
  const shapes: Array<Record<string, unknown>> = [
    { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [toDns] },
    {
      podSelector: { matchLabels: { tier: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }], ports: [{ port: 'http' }] }],
    },
    {
      podSelector: { matchLabels: { tier: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { tier: 'api' } } }], ports: [{ port: 5432 }] }],
    },
    {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
      policyTypes: ['Egress'],
      egress: [toDns, { to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] } }] }],
    },
    { podSelector: { matchLabels: { app: `app${i % 25}` } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'metrics' }, { port: 8000, endPort: 8100 }] }] },
  ];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta, spec: shapes[i % shapes.length] };
}

const policies = Array.from({ length: policyCount }, (_, i) => policy(i));
const input = { policies, pods, namespaces, extraPeers: [dns] };

let t = performance.now();
const compiled = compileNetworkPolicies(input);
const cold = performance.now() - t;

// CPU time beside wall time: on a shared machine the wall figures swing with the load, CPU time much less.
const runs = 30;
const times: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < runs; i++) {
  t = performance.now();
  compileNetworkPolicies(input);
  times.push(performance.now() - t);
}
const cpu = process.cpuUsage(cpuBefore);
times.sort((a, b) => a - b);

const rules = [...compiled.chains.values()].reduce((n, r) => n + r.length, 0);
const script = [
  'table inet np_bench {',
  ...[...compiled.chains].flatMap(([name, r]) => [`  chain ${name} {`, ...r.map((l) => `    ${l}`), '  }']),
  '  chain forward { type filter hook forward priority filter; policy accept; ct state new jump np-egress; ct state new jump np-ingress; }',
  '}',
  '',
].join('\n');

console.log(`${pods.length} pods, ${policies.length} policies, ${namespaces.length} namespaces`);
console.log(`chains ${compiled.chains.size}, rules ${rules}, script ${(script.length / 1024).toFixed(1)} KiB, problems ${compiled.problems.length}`);
console.log(`compile: cold ${cold.toFixed(1)} ms, warm median ${times[runs >> 1].toFixed(1)} ms, p90 ${times[Math.floor(runs * 0.9)].toFixed(1)} ms (${runs} runs)`);
console.log(`compile CPU (user+system, GC included): ${((cpu.user + cpu.system) / 1000 / runs).toFixed(1)} ms per run`);

if (process.getuid?.() === 0) {
  t = performance.now();
  const check = spawnSync('nft', ['-c', '-f', '-'], { input: script, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (check.status === 0) console.log(`nft -c on the script: ${ms.toFixed(0)} ms`);
  else console.log(`nft -c failed: ${check.error ?? check.stderr}`);
} else {
  console.log('nft -c: skipped (needs root)');
}
