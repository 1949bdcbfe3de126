/**
 * The built-in runtime's CPU per object for what a sync of one large app asks of it: a
 * server-side apply with dryRun=All of every ConfigMap (preflight), then the apply itself
 * (fieldManager=baton, force), 16 at a time over keep-alive HTTPS, as the sync worker sends them
 * with @kubernetes/client-node. The runtime runs compiled from dist/ in a process of its own (as
 * `baton runtime`); its CPU is read from /proc, so the client's own CPU is not counted, and a
 * loaded machine stretches the wall time but hardly the CPU figure. Printed beside the floor
 * under it: the runtime's CPU per plain POST of the same object, measured on a fresh runtime in
 * the same run.
 *
 * Run: `npx tsx bench/runtime-apply.ts [count] [rounds]` (builds dist/ first; BENCH_CPU_PROF=<dir>
 * makes each runtime write a CPU profile there).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeepAliveKubeConfig } from '../controller/clusters/keep-alive-kube-config.js';
import { KubernetesObjectApi, PatchStrategy } from '../controller/clusters/kube-client.js';
import { inPool } from '../controller/clusters/in-pool.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'dist/controller/edges/cli/main.js');
const COUNT = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 3);
const AT_ONCE = 16;
const GOAL_MS = 0.9;
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

interface Runtime {
  child: ChildProcess;
  objects: KubernetesObjectApi;
  stop(): Promise<void>;
}

async function startRuntime(stateDir: string): Promise<Runtime> {
  const child = spawn(process.execPath, [...profile, CLI, 'runtime', '--state-dir', stateDir, '--port', '0', '--default-runtime-class', 'process'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (/Kubernetes API at \S+/.test(out) && out.includes('kubeconfig:')) done();
    });
    child.once('exit', (code) => fail(new Error(`runtime exited with ${code}`)));
  });
  const config = new KeepAliveKubeConfig();
  config.loadFromFile(join(stateDir, 'kubeconfig'));
  return {
    child,
    objects: KubernetesObjectApi.makeApiClient(config),
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

/** User + system CPU seconds a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A ConfigMap as the sync worker sends it: the bench's object with baton's tracking labels and annotations. */
function configMap(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `cm-${i}`,
      namespace: 'big',
      labels: { shard: String(i % 100), 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'big' },
      annotations: { 'baton.dev/revision': '0123456789abcdef0123456789abcdef01234567', 'baton.dev/digest': `sha256:${String(i).padStart(64, '0')}` },
    },
    data: { index: String(i), payload: 'x'.repeat(256) },
  };
}

/** Runtime CPU (ms) per object for `work` over COUNT objects. */
async function perObject(runtime: Runtime, work: (i: number) => Promise<unknown>): Promise<number> {
  const pid = runtime.child.pid!;
  const before = await cpuSeconds(pid);
  await inPool(
    Array.from({ length: COUNT }, (_, i) => i),
    AT_ONCE,
    work,
  );
  return ((await cpuSeconds(pid)) - before) * 1000 / COUNT;
}

async function round(dir: string): Promise<{ post: number; dryRun: number; apply: number }> {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } };
  const reference = await startRuntime(join(dir, 'post'));
  let post: number;
  try {
    await reference.objects.create(namespace);
    post = await perObject(reference, (i) => reference.objects.create(configMap(i)));
  } finally {
    await reference.stop();
  }
  const runtime = await startRuntime(join(dir, 'apply'));
  try {
    await runtime.objects.patch(namespace, undefined, undefined, 'baton', true, PatchStrategy.ServerSideApply);
    const dryRun = await perObject(runtime, (i) => runtime.objects.patch(configMap(i), undefined, 'All', 'baton', true, PatchStrategy.ServerSideApply));
    const apply = await perObject(runtime, (i) => runtime.objects.patch(configMap(i), undefined, undefined, 'baton', true, PatchStrategy.ServerSideApply));
    return { post, dryRun, apply };
  } finally {
    await runtime.stop();
  }
}

execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
const dir = await mkdtemp('/tmp/baton-bench-apply-');
try {
  const results: Array<{ post: number; dryRun: number; apply: number }> = [];
  for (let r = 0; r < ROUNDS; r++) results.push(await round(join(dir, String(r))));
  const median = (pick: (x: (typeof results)[number]) => number) => results.map(pick).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
  const each = (pick: (x: (typeof results)[number]) => number) => results.map((x) => pick(x).toFixed(2)).join(', ');
  const label = `runtime CPU per object, ${COUNT.toLocaleString('en')} ConfigMaps`;
  console.log(`${label.padEnd(48)} dry-run + apply ${(median((x) => x.dryRun + x.apply)).toFixed(2)} ms   goal ≤ ${GOAL_MS} ms   floor: one plain POST ${median((x) => x.post).toFixed(2)} ms   (rounds: ${each((x) => x.dryRun + x.apply)})`);
  console.log(`${'  of which'.padEnd(48)} dry-run ${median((x) => x.dryRun).toFixed(2)} ms, apply ${median((x) => x.apply).toFixed(2)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
