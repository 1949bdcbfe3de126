// Applying one app of 20,000 ConfigMaps through the real pipeline: a Git repository, the
// controller's plan, the BullMQ queue and the sync worker's apply against the built-in runtime
// (a child process, as `baton runtime`), with a private redis-server. The runtime and the
// controller + worker (bench/support/large-app-controller.ts) run compiled from dist/, as
// `baton runtime` and `baton up` run (built first, so the figure is of this tree): through tsx every process
// carries the loader (~85 MiB) and slower code. Printed beside its goal and beside the runtime
// API's own create rate (16 keep-alive HTTPS connections, as bench/runtime-api.ts) measured on a
// fresh runtime in the same run.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startRedisServer } from '../../controller/redis/redis-server.js';
import { NODE_PROCESS_ENV } from '../../controller/edges/cli/node-process-env.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CONCURRENCY = 16;
const GOAL_PER_SECOND = 1000;
const GOAL_RSS_MIB = 300;
const FILES = 100;
// baton's processes start with the environment bin/baton.js's first line gives them (glibc's arenas).
Object.assign(process.env, NODE_PROCESS_ENV);
const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const execFileAsync = promisify(execFile);
const CLI = join(ROOT, 'dist/controller/edges/cli/main.js');
const CONTROLLER = join(ROOT, 'dist/bench/support/large-app-controller.js');
/** BENCH_CPU_PROF=<dir>: each runtime and the controller write a CPU profile there when they stop. */
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

interface ChildRuntime {
  child: ChildProcess;
  url: string;
  stateDir: string;
  stop(): Promise<void>;
}

async function startChildRuntime(stateDir: string): Promise<ChildRuntime> {
  const child = spawn(process.execPath, [...profile, CLI, 'runtime', '--state-dir', stateDir, '--port', '0', '--default-runtime-class', 'process'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Kubernetes API at (\S+)/.exec(out);
      if (m && out.includes('kubeconfig:')) done(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`runtime exited with ${code}`)));
  });
  return {
    child,
    url,
    stateDir,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Peak RSS (VmHWM) of a process in MiB, and resetting it (`5` to clear_refs) so a phase measures its own peak. */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
const resetPeakRss = (pid: number) => writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);

/** User + system CPU seconds a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** `count` ConfigMap POSTs over CONCURRENCY keep-alive connections; objects per second. */
async function rawCreateRate(runtime: ChildRuntime, count: number): Promise<number> {
  const token = (await readFile(join(runtime.stateDir, 'runtime-token'), 'utf8')).trim();
  const ca = await readFile(join(runtime.stateDir, 'runtime-tls.crt'), 'utf8');
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const path = '/api/v1/namespaces/default/configmaps';
  const post = (body: string) =>
    new Promise<void>((done, fail) => {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
      const req = request(new URL(path, runtime.url), { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode! < 300 ? done() : fail(new Error(`POST ${path}: ${res.statusCode}`))));
      });
      req.on('error', fail);
      req.end(body);
    });
  let next = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await post(JSON.stringify(configMap(next++)));
      }),
    );
  } finally {
    agent.destroy();
  }
  return count / ((performance.now() - start) / 1000);
}

function configMap(i: number) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { shard: String(i % 100) } }, data: { index: String(i), payload: 'x'.repeat(256) } };
}

/** A repository with one app `big` of `count` ConfigMaps, in FILES files of JSON documents (as a generator writes them: the renderer reads them with JSON.parse, block YAML ~10× slower). */
async function bigAppRepository(dir: string, count: number): Promise<string> {
  const repo = join(dir, 'big-repo');
  await mkdir(join(repo, 'apps/big'), { recursive: true });
  await writeFile(join(repo, 'baton.yaml'), 'apps:\n  - { name: big, path: apps/big, namespace: big }\n');
  const perFile = Math.ceil(count / FILES);
  for (let f = 0; f * perFile < count; f++) {
    const docs: string[] = [];
    for (let i = f * perFile; i < Math.min(count, (f + 1) * perFile); i++) docs.push(JSON.stringify(configMap(i)));
    await writeFile(join(repo, `apps/big/part-${f}.yaml`), `${docs.join('\n---\n')}\n`);
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'big app');
  return repo;
}

/** Plan → queue → worker apply of one app of `count` ConfigMaps; prints objects/s and peak RSS beside the goal and the raw create rate. */
export async function largeAppApply(count = 20_000): Promise<void> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: 'inherit' });
  for (const file of [CLI, CONTROLLER]) if (!existsSync(file)) throw new Error(`${file} is missing after npm run build`);
  const dir = await mkdtemp('/tmp/baton-bench-large-');
  try {
    await measure(dir, count);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string, count: number): Promise<void> {
  const reference = await startChildRuntime(join(dir, 'raw-state'));
  let raw: number;
  try {
    raw = await rawCreateRate(reference, count);
  } finally {
    await reference.stop();
  }

  const repo = await bigAppRepository(dir, count);
  const redis = await startRedisServer({ dir: join(dir, 'big-redis') });
  const stateDir = join(dir, 'big-state');
  const runtime = await startChildRuntime(stateDir);
  try {
    const pid = runtime.child.pid!;
    await resetPeakRss(pid);
    const cpu0 = await cpuSeconds(pid);
    const { stdout } = await execFileAsync(process.execPath, [...profile, CONTROLLER, repo, redis.url, stateDir], { env, maxBuffer: 1 << 20 });
    const { seconds, peakRssMiB: controllerRss, cpuSeconds: controllerCpu } = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; peakRssMiB: number; cpuSeconds: number };
    const [runtimeRss, runtimeCpu] = [await peakRssMiB(pid), (await cpuSeconds(pid)) - cpu0];
    const rate = count / seconds;
    const label = `apply 1 app of ${count.toLocaleString('en')} ConfigMaps (JSON; plan → queue → worker)`;
    console.log(`${label.padEnd(52)} ${rate.toFixed(0).padStart(6)} objects/s (${seconds.toFixed(1)} s)   goal ≥ ${GOAL_PER_SECOND.toLocaleString('en')}/s   reference: runtime API raw POSTs ${raw.toFixed(0)}/s`);
    console.log(`${'  peak RSS during it'.padEnd(52)} controller + worker ${controllerRss.toFixed(0)} MiB, runtime ${runtimeRss.toFixed(0)} MiB   goal ≤ ${GOAL_RSS_MIB} MB (controller + worker)`);
    const perObject = (cpu: number) => ((cpu * 1000) / count).toFixed(2);
    console.log(`${'  CPU during it, per object'.padEnd(52)} runtime ${perObject(runtimeCpu)} ms (dry-run + apply), controller + worker ${perObject(controllerCpu)} ms (plan, render, preflight, apply)`);
  } finally {
    await runtime.stop();
    await redis.stop();
  }
}
