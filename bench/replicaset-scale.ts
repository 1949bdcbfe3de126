/**
 * Scales one ReplicaSet to N pods (default 10,000) in the in-memory runtime
 * and prints how long until all exist, then until all are ready under a
 * simulated kubelet, with the event loop's worst delay meanwhile — the
 * controllers must batch, not block. Run: npx tsx bench/replicaset-scale.ts [N]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startControllers } from '../runtime/controllers/index.js';
import { resources } from '../runtime/resources/registry.js';
import { openLocalCluster } from '../runtime/store/index.js';

const n = Number(process.argv[2] ?? 10_000);
const cluster = await openLocalCluster();
const controllers = await startControllers({ cluster });
const ns = 'bench';
await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const t0 = performance.now();
await cluster.create(resources.replicasets, {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'many', namespace: ns },
  spec: {
    replicas: n,
    selector: { matchLabels: { app: 'many' } },
    template: { metadata: { labels: { app: 'many' } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
  },
});

async function until(pred: () => Promise<boolean>): Promise<number> {
  while (!(await pred())) await new Promise((r) => setTimeout(r, 50));
  return performance.now() - t0;
}
const created = await until(async () => (await cluster.get(resources.replicasets, ns, 'many')).status?.replicas === n);
const maxDuringCreate = loop.max / 1e6;
loop.reset();

// Simulated kubelet: mark every pod ready in chunks, as status updates would trickle in.
const t1 = performance.now();
const pods = (await cluster.list(resources.pods, { namespace: ns })).items;
const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
for (let i = 0; i < pods.length; i++) {
  const p = pods[i];
  p.status = { phase: 'Running', podIP: `127.1.${(i >> 8) & 255}.${i & 255}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] };
  await cluster.update(resources.pods, p, { status: true });
  if (i % 20 === 0) await new Promise((r) => setImmediate(r));
}
await until(async () => (await cluster.get(resources.replicasets, ns, 'many')).status?.readyReplicas === n);
const ready = performance.now() - t1;

console.log(`pods: ${n}`);
console.log(`all created and counted: ${(created / 1000).toFixed(2)} s (${Math.round(n / (created / 1000))} pods/s)`);
console.log(`event loop max delay while creating: ${maxDuringCreate.toFixed(1)} ms`);
console.log(`all ready counted after kubelet updates: ${(ready / 1000).toFixed(2)} s`);
console.log(`event loop max delay while readiness changed: ${(loop.max / 1e6).toFixed(1)} ms`);
loop.disable();
await controllers.stop();
await cluster.close();
