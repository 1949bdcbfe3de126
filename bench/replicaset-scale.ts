/**
 * Scales one ReplicaSet to N pods (default 10,000) in the in-memory runtime
 * and prints how long until all exist, then until all are ready under a
 * simulated kubelet, with the event loop's worst delay meanwhile — the
 * controllers must batch, not block; and the CPU time all that took.
 * `--persist` keeps the store on disk (SQLite, as `baton runtime` does)
 * instead of in memory. Run: npx tsx bench/replicaset-scale.ts [N] [--persist]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startControllers } from '../runtime/controllers/index.js';
import { resources } from '../runtime/resources/registry.js';
import { openLocalCluster } from '../runtime/store/index.js';

const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
const stateDir = process.argv.includes('--persist') ? await mkdtemp(join(tmpdir(), 'baton-bench-rs-')) : undefined;
const cluster = await openLocalCluster({ stateDir });
const controllers = await startControllers({ cluster });
const ns = 'bench';
await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const cpu0 = process.cpuUsage();
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
const cpu = process.cpuUsage(cpu0);

console.log(`pods: ${n}, store ${stateDir ? 'on disk (SQLite)' : 'in memory'}`);
console.log(`all created and counted: ${(created / 1000).toFixed(2)} s (${Math.round(n / (created / 1000))} pods/s)`);
console.log(`event loop max delay while creating: ${maxDuringCreate.toFixed(1)} ms`);
console.log(`all ready counted after kubelet updates: ${(ready / 1000).toFixed(2)} s`);
console.log(`event loop max delay while readiness changed: ${(loop.max / 1e6).toFixed(1)} ms`);
console.log(`CPU time for both: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)})`);
loop.disable();
await controllers.stop();
await cluster.close();
if (stateDir) await rm(stateDir, { recursive: true, force: true });
