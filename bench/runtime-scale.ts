/**
 * The built-in runtime at scale, with real processes: a Deployment of busybox
 * httpd pods scaled from 0 to N (default 1000), timed until the Deployment
 * reports every replica Ready, beside its goal and beside its floor measured
 * first in the same run (N bare spawns of the same httpd, each until it
 * accepts a connection); then the service proxy's cost against the same
 * server hit directly, side by side (the load client is
 * bench/service-proxy.ts's; `--skip-proxy` leaves it out). Loopback only;
 * everything is stopped at the end.
 *
 *   npx tsx bench/runtime-scale.ts [--replicas 1000] [--requests 2000] [--concurrency 8] [--skip-proxy] [--cpu-prof FILE] [--probe-period 2]
 *
 * `--probe-period`: the pods' tcpSocket readiness probe's periodSeconds
 * (default 2; the first check is made as soon as the port listens either way).
 *
 * `--cpu-prof FILE`: a CPU profile of the runtime's main thread from the
 * scale-up until all Ready only (not the floor, start-up or the stop), for
 * Chrome DevTools or any .cpuprofile viewer.
 *
 * Needs busybox (`apt-get install busybox-static`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { resources } from '../runtime/resources/registry.js';
import { startRuntime } from '../runtime/runtime-server.js';
import { bareServers } from './support/spawn-cost.js';
import { sampleCpuBusy } from './support/cpu-busy.js';
import { accountCpu, spawnCostMs } from './support/cpu-account.js';
import { watchPodTimeline } from './support/pod-timeline.js';

const { values: args } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    'skip-proxy': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'probe-period': { type: 'string', default: '2' },
  },
});
/** Issue 18's goal: 0 -> 1,000 process pods Ready within 3 s. */
const GOAL = { replicas: 1000, ms: 3000 };
const wanted = Number(args.replicas);
const ns = 'bench';

const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((path) => spawnSync(path, ['true']).status === 0);
if (!busybox) {
  console.error('busybox is not installed: apt-get install busybox-static');
  process.exit(1);
}

interface ClientResult {
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One measurement by bench/service-proxy.ts's load client in its own process. busybox httpd closes after each answer: one connection per request. */
async function measure(host: string, port: number): Promise<ClientResult> {
  const script = fileURLToPath(new URL('./service-proxy.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv, script, '--role=client', `--host=${host}`, `--port=${port}`, `--requests=${args.requests}`, `--concurrency=${args.concurrency}`, '--keep-alive=false'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const chunk of child.stdout) out += chunk;
  return JSON.parse(out.trim().split('\n')[0]) as ClientResult;
}

async function waitForNode() {
  for (let i = 0; ; i++) {
    const nodes = (await runtime.cluster.list(resources.nodes)).items;
    if (nodes.length > 0) return nodes[0];
    if (i > 300) throw new Error('the kubelet registered no Node');
    await sleep(100);
  }
}

/** CPU time (ms) of each thread of this process by tid (the main thread is `main`), from /proc: libuv's pool, V8's and worker threads are told apart by what they use. */
function threadCpuMs(): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      byName.set(Number(tid) === process.pid ? 'main' : tid, taskCpuMs(tid));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}

/** CPU time of this process's main thread (the runtime's event loop). */
function mainThreadCpuMs(): number {
  return taskCpuMs(String(process.pid));
}

/** User + system CPU of one thread of this process, from /proc (clock ticks of 10 ms). */
function taskCpuMs(tid: string): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const seconds2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const count = (n: number) => n.toLocaleString('en-US');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = await mkdtemp(join(tmpdir(), 'baton-bench-scale-'));
const www = join(dir, 'www');
await mkdir(www);
await writeFile(join(www, 'index.html'), 'ok\n');
const containerPort = 20_000 + Math.floor(Math.random() * 30_000);
// Before the runtime starts, so nothing of baton's runs beside it.
const floor = await bareServers(busybox, www, wanted, containerPort);
const spawnMs = spawnCostMs(busybox);
const runtime = await startRuntime({ stateDir: join(dir, 'state'), port: 0, node: { defaultRuntimeClass: 'process' } });
const { cluster } = runtime;
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= runtime.close({ stopPods: true }).then(() => rm(dir, { recursive: true, force: true })));
// Ctrl-C must not leave hundreds of httpd processes behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
let replicas = wanted;
try {
  // The node admits only so many pods (as a kubelet's maxPods); more would stay Pending for ever.
  const node = await waitForNode();
  const capacity = Number(node.status?.allocatable?.pods ?? Infinity);
  if (capacity < wanted) {
    replicas = capacity;
    console.log(`NOTE: the runtime's node admits ${capacity} pods (status.allocatable.pods), so this run scales to ${capacity}, not ${wanted}.\n`);
  }
  await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await cluster.create(resources.deployments, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'httpd',
              image: 'busybox',
              // A process pod has a /tmp of its own: the host's www directory comes in as a volume.
              command: [busybox, 'httpd', '-f', '-p', '$(POD_IP):$(PORT)', '-h', '/tmp/www'],
              ports: [{ name: 'http', containerPort }],
              // busybox httpd forks a child for every connection, a probe's too (forks are counted below).
              readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: Number(args['probe-period']) },
              volumeMounts: [{ name: 'www', mountPath: '/tmp/www', readOnly: true }],
            },
          ],
          volumes: [{ name: 'www', hostPath: { path: www, type: 'Directory' } }],
        },
      },
    },
  });

  console.log(`runtime scale benchmark: Deployment of busybox httpd, 0 -> ${replicas} replicas, loopback\n`);
  const profiler = args['cpu-prof'] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu0 = { main: mainThreadCpuMs(), process: process.cpuUsage(), threads: threadCpuMs() };
  const t0 = performance.now();
  const busy = sampleCpuBusy();
  const account = accountCpu();
  const timeline = await watchPodTimeline(cluster, ns, t0);
  const deployment = await cluster.get(resources.deployments, ns, 'web');
  deployment.spec.replicas = replicas;
  await cluster.update(resources.deployments, deployment);
  let created: number | undefined;
  let lastReport = 0;
  for (;;) {
    const status = (await cluster.get(resources.deployments, ns, 'web')).status ?? {};
    const elapsed = performance.now() - t0;
    if (created === undefined && status.replicas === replicas) created = elapsed;
    if ((status.readyReplicas ?? 0) === replicas) break;
    if (elapsed - lastReport >= 10_000) {
      lastReport = elapsed;
      console.log(`  ${seconds(elapsed)}: ${status.replicas ?? 0} pods, ${status.readyReplicas ?? 0} ready`);
    }
    if (elapsed > 30 * 60_000) throw new Error(`not all ready after 30 min: ${JSON.stringify(status)}`);
    await sleep(50);
  }
  const ready = performance.now() - t0;
  const utilisation = busy.stop();
  const spent = account.stop();
  const steps = timeline.stop();
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(args['cpu-prof']!, JSON.stringify(profile));
    profiler.disconnect();
  }
  const mainCpu = mainThreadCpuMs() - cpu0.main;
  const used = process.cpuUsage(cpu0.process);
  console.log(`all ${replicas} pods created: ${seconds(created ?? ready)}; all Ready: ${seconds(ready)} (${(replicas / (ready / 1000)).toFixed(1)} pods/s)\n`);
  const goal = `goal ≤ ${seconds2(GOAL.ms)}${replicas === GOAL.replicas ? '' : ` for ${count(GOAL.replicas)}`}`;
  console.log(
    `0 → ${count(replicas)} process pods Ready  ${seconds2(ready)}   ${goal}   ` +
      `floor: ${count(wanted)} bare spawns ${seconds2(floor.spawnedMs)}, all listening ${seconds2(floor.listeningMs)}; ` +
      `one process spawn (fork, exec, exit of busybox) costs this machine ${spawnMs.toFixed(2)} ms of CPU\n`,
  );
  console.log(
    `CPU of the runtime until all Ready: main thread ${seconds(mainCpu)} (${(mainCpu / replicas).toFixed(1)} ms/pod), ` +
      `all its threads ${seconds((used.user + used.system) / 1000)}; the pods' sandboxes and shells are not counted\n`,
  );
  const threads = [...threadCpuMs()].map(([name, ms]) => [name, ms - (cpu0.threads.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
  console.log(`  by thread (tid): ${threads.sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${seconds2(ms)}`).join(', ')}\n`);
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  console.log(
    `machine CPU busy during the scale-up (both cores, /proc/stat every 100 ms): mean ${pct(utilisation.mean)}, ` +
      `${pct(utilisation.underHalf)} of the time under half busy; per second: ${utilisation.perSecond.map((x) => (100 * x).toFixed(0)).join(' ')}\n`,
  );
  const perPod = (ms: number) => `${seconds(ms)} (${(ms / replicas).toFixed(1)} ms/pod)`;
  const attributed = spent.selfMs + spent.reapedBySelfMs + spent.descendantsMs + spent.kernelThreadsMs + spent.irqMs + spent.othersMs;
  console.log(
    `where the machine's CPU went until all Ready (both cores, /proc): busy ${perPod(spent.machineMs)}\n` +
      `  the runtime's threads ${perPod(spent.selfMs)}; the helpers it ran and reaped (ip, nft, mount…) ${perPod(spent.reapedBySelfMs)}\n` +
      `  processes below it still running (${count(spent.descendants)}: launcher shells, each pod's sandbox chain and httpd) ${perPod(spent.descendantsMs)}\n` +
      `  kernel threads ${perPod(spent.kernelThreadsMs)}; interrupts and softirqs ${perPod(spent.irqMs)}; other processes ${seconds(spent.othersMs)}; not attributed ${seconds(spent.machineMs - attributed)}\n` +
      `  processes forked on the machine meanwhile: ${count(spent.forks)} (${(spent.forks / replicas).toFixed(1)} per pod; ` +
      `at ${spawnMs.toFixed(2)} ms a spawn ≈ ${((spent.forks * spawnMs) / replicas).toFixed(1)} ms/pod)\n`,
  );
  const events = (await cluster.list(resources.events, { namespace: ns })).items.length;
  console.log(`per-pod timeline (ms after the scale-up, from watch events):\n  ${steps.join('\n  ')}\n  Events in the namespace: ${(events / replicas).toFixed(2)} per pod\n`);
  if (!args['skip-proxy']) await proxyCost();
} finally {
  const t1 = performance.now();
  await stop();
  console.log(`\nstopped all pods and the runtime in ${seconds(performance.now() - t1)}`);
}

/** The same server three ways: directly, through a Service of that one pod, through the Service of all pods. */
async function proxyCost(): Promise<void> {
  const pods = (await cluster.list(resources.pods, { namespace: ns, labelSelector: 'app=web' })).items;
  const target = pods.find((p) => p.status?.podIP)!;
  target.metadata.labels = { ...target.metadata.labels, 'bench-target': 'yes' };
  await cluster.update(resources.pods, target);
  const port = 20_000 + Math.floor(Math.random() * 30_000);
  for (const [name, selector] of [['one', { 'bench-target': 'yes' }], ['all', { app: 'web' }]] as const) {
    await cluster.create(resources.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
      spec: { selector, ports: [{ name: 'http', port, targetPort: 'http' }] },
    });
  }
  const expected = { one: 1, all: replicas };
  const clusterIP: Record<string, string> = {};
  for (const name of ['one', 'all'] as const) {
    for (let i = 0; ; i++) {
      const endpoints = await cluster.get(resources.endpoints, ns, name).catch(() => undefined);
      const count = ((endpoints?.subsets ?? []) as any[]).reduce((n: number, s: any) => n + (s.addresses?.length ?? 0), 0);
      if (count === expected[name]) break;
      if (i > 1200) throw new Error(`Service ${name}: ${count} of ${expected[name]} endpoints`);
      await sleep(100);
    }
    clusterIP[name] = (await cluster.get(resources.services, ns, name)).spec.clusterIP;
  }
  // Give the proxy a moment to pick up the endpoints it was just told about.
  await sleep(2000);

  const rows: [string, ClientResult][] = [
    [`direct ${target.status.podIP}:${containerPort}`, await measure(target.status.podIP, containerPort)],
    [`via proxy, 1 endpoint ${clusterIP.one}:${port}`, await measure(clusterIP.one, port)],
    [`via proxy, ${replicas} endpoints ${clusterIP.all}:${port}`, await measure(clusterIP.all, port)],
  ];
  console.log(`proxy cost: ${args.requests} requests, concurrency ${args.concurrency}, a new connection per request (busybox httpd closes each)\n`);
  const table = [['path', 'requests', 'errors', 'req/s', 'p50 µs', 'p90 µs', 'p99 µs', 'max µs'], ...rows.map(([path, r]) => [
    path, String(r.requests), String(r.errors), (r.requests / r.seconds).toFixed(0), ...[r.p50, r.p90, r.p99, r.max].map((v) => v.toFixed(0)),
  ])];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  const direct = rows[0][1];
  console.log('');
  for (const [path, r] of rows.slice(1)) {
    console.log(
      `${path.split(' 127.')[0]}: proxy adds p50 ${(r.p50 - direct.p50).toFixed(0)} µs, p99 ${(r.p99 - direct.p99).toFixed(0)} µs; ` +
        `throughput ${((100 * r.requests) / r.seconds / (direct.requests / direct.seconds)).toFixed(0)}% of direct`,
    );
  }
}
