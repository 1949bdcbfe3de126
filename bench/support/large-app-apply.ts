// Applying one app of 20,000 ConfigMaps through the real pipeline: a Git repository, the
// controller's plan, the BullMQ queue and the sync worker's apply against the built-in runtime
// (a child process, as `baton runtime`), with a private redis-server. Printed beside its goal and
// beside the runtime API's own create rate (16 keep-alive HTTPS connections, as
// bench/runtime-api.ts) measured on a fresh runtime in the same run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { AppController } from '../../controller/plan/app-controller.js';
import { startRedisServer } from '../../controller/redis/redis-server.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { StateStore } from '../../controller/state/state-store.js';
import { startSyncWorker } from '../../controller/sync/start-sync-worker.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CONCURRENCY = 16;
const GOAL_PER_SECOND = 1000;
const GOAL_RSS_MIB = 300;
const FILES = 100;
const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ChildRuntime {
  child: ChildProcess;
  url: string;
  stateDir: string;
  stop(): Promise<void>;
}

async function startChildRuntime(stateDir: string): Promise<ChildRuntime> {
  // BENCH_CPU_PROF=<dir>: each runtime writes a CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(ROOT, 'controller/edges/cli/main.ts'), 'runtime', '--state-dir', stateDir, '--port', '0', '--default-runtime-class', 'process'], {
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
async function peakRssMiB(pid: number | 'self'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}
const resetPeakRss = (pid: number | 'self') => writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);

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

/** A repository with one app `big` of `count` ConfigMaps, in FILES files. */
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
  const state = new StateStore({ redisUrl: redis.url, secretsKeyDir: stateDir });
  const spec: RepositorySpec = { id: repoId(repo), url: repo, intervalSeconds: 1 };
  const controller = new AppController({ stateDir, redisUrl: redis.url, repositories: [spec], driftCheckMs: 0 });
  const worker = await startSyncWorker({ stateDir, redisUrl: redis.url, log: process.env.BENCH_DEBUG ? (line) => console.error(new Date().toISOString(), line) : undefined });
  try {
    const head = git(repo, 'rev-parse', 'HEAD');
    global.gc?.();
    await Promise.all([resetPeakRss('self'), resetPeakRss(runtime.child.pid!)]);
    const start = performance.now();
    await controller.start();
    for (;;) {
      const status = await state.getApp('big');
      if (status?.revision === head && status.syncStatus === 'Synced') break;
      if (status?.lastFailedRevision === head) throw new Error(`the sync failed: ${status.message}`);
      await sleep(100);
    }
    const seconds = (performance.now() - start) / 1000;
    const [controllerRss, runtimeRss] = await Promise.all([peakRssMiB('self'), peakRssMiB(runtime.child.pid!)]);
    const rate = count / seconds;
    const label = `apply 1 app of ${count.toLocaleString('en')} ConfigMaps (plan → queue → worker)`;
    console.log(`${label.padEnd(52)} ${rate.toFixed(0).padStart(6)} objects/s (${seconds.toFixed(1)} s)   goal ≥ ${GOAL_PER_SECOND.toLocaleString('en')}/s   reference: runtime API raw POSTs ${raw.toFixed(0)}/s`);
    console.log(`${'  peak RSS during it'.padEnd(52)} controller + worker ${controllerRss.toFixed(0)} MiB, runtime ${runtimeRss.toFixed(0)} MiB   goal ≤ ${GOAL_RSS_MIB} MB (controller + worker)`);
  } finally {
    await worker.close(true);
    await controller.close();
    await state.close();
    await runtime.stop();
    await redis.stop();
  }
}
