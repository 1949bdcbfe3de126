// The controller end to end, with real parts (redis-server, the built-in runtime with real pods,
// git, a Git HTTP server):
//   1. commit-to-serving latency: from `git commit` (local repository, seen by chokidar) and from
//      `git push` (HTTP remote polled every 1 s) until the app's Service answers the new version to a client in a process of its own,
//      each round on an app in sync (its last sync's health gate passed); beside its goal and the
//      floor under it, node spawned with the same server until its port accepts;
//   2. the controller's planning of a commit that touches one app of a 1,000-app monorepo
//      (baton.yaml read, every app's inputs key checked, one app rendered and queued);
//   3. CPU and memory of steady-state polling of that 1,000-app repository with no changes, in a process
//      of its own (bench/support/idle-controller.ts, compiled as `baton up` runs), beside a process that loaded the same modules.
//   4. applying one app of 20,000 ConfigMaps (plan → queue → worker; the runtime and the controller compiled, from dist/),
//      beside the runtime API's raw create rate.
// Each figure is printed beside its goal and a floor or anchor measured in the same run.
// Run: npx tsx bench/controller.ts [rounds] [--skip-large-app]; `npx tsx bench/controller.ts large-app [count]` runs only 4;
// `npx tsx bench/controller.ts commit [rounds]` runs only 1 with a local repository, with the time of each step on the path;
// `npx tsx bench/controller.ts planner [rounds]` only 2;
// `npx tsx bench/controller.ts idle` only 3.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AppController } from '../controller/plan/app-controller.js';
import type { RepositorySpec } from '../controller/apps/app-spec.js';
import { readAppConfig } from '../controller/apps/read-app-config.js';
import { orderApps } from '../controller/plan/order-apps.js';
import { planApp } from '../controller/plan/plan-app.js';
import { startRedisServer } from '../controller/redis/redis-server.js';
import { RepositorySource } from '../controller/source/repository.js';
import { repoId } from '../controller/source/normalize-url.js';
import { bundledChartsDir } from '../controller/apps/bundled-paths.js';
import { startSyncWorker } from '../controller/sync/start-sync-worker.js';
import { StateStore } from '../controller/state/state-store.js';
import { describeApps } from '../test/e2e/support/baton-process.js';
import { DiskTree } from '../renderer/index.js';
import { startRuntime } from '../runtime/runtime-server.js';
import { startGitHttpServer } from '../test/support/git-http-server.js';
import { CommitTrace } from './support/commit-trace.js';
import { largeAppApply } from './support/large-app-apply.js';
import { startVersionWatcher } from './support/version-watcher.js';
import { NODE_PROCESS_ENV } from '../controller/edges/cli/node-process-env.js';

const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 3);
// baton's processes start with the environment bin/baton.js's first line gives them (glibc's arenas).
Object.assign(process.env, NODE_PROCESS_ENV);
const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' };
const execFileAsync = promisify(execFile);
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
/** git in a process of its own, as a user's is: execFileSync would also stop this process's controller and runtime meanwhile. */
const gitAsync = async (cwd: string, ...args: string[]) => void (await execFileAsync('git', args, { cwd, env }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const SERVER = `require('http').createServer((q, s) => { if (q.url === '/ready') return s.end(); s.end(process.env.VERSION); }).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => process.exit(0));`;

function webApp(version: string, clusterIP: string): string {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [{ name: 'web', image: 'web', command: [process.execPath, '-e', SERVER], env: [{ name: 'VERSION', value: version }], ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 } }],
        },
      },
    },
  };
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP, selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 'http' }] } };
  return `${JSON.stringify(deployment)}\n---\n${JSON.stringify(service)}\n`;
}

function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function until(check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

/** Node spawned with the example's server, until its port accepts: the floor under commit → serving. */
async function spawnToListening(): Promise<number> {
  const port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', SERVER], { env: { ...process.env, PORT: String(port), POD_IP: '127.0.0.1' }, stdio: 'ignore' });
  try {
    const accepts = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        const done = (ok: boolean) => {
          socket.destroy();
          resolve(ok);
        };
        socket.once('connect', () => done(true)).once('error', () => done(false));
      });
    while (!(await accepts())) await sleep(2);
    return performance.now() - start;
  } finally {
    child.kill('SIGKILL');
  }
}

/** One app from `repoUrl` through redis, the runtime, the controller and a worker; times commit → new version answering. */
async function latency(label: string, dir: string, work: string, repoUrl: string, publish: () => Promise<void>, goal = ''): Promise<void> {
  const redis = await startRedisServer({ dir: join(dir, 'redis') });
  const clusterIP = `127.2.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}`;
  await writeFile(join(work, 'apps/web/web.yaml'), webApp('v0', clusterIP));
  git(work, 'commit', '-qam', 'v0');
  await publish();
  const stateDir = join(dir, 'state');
  const runtime = await startRuntime({ stateDir, port: 0, node: { defaultRuntimeClass: 'process' } });
  const spec: RepositorySpec = { id: repoId(repoUrl), url: repoUrl, intervalSeconds: 1 };
  const controller = new AppController({ stateDir, redisUrl: redis.url, repositories: [spec], driftCheckMs: 0 });
  // As `baton up` runs it: the worker reads commits through the controller's repositories.
  const worker = await startSyncWorker({ stateDir, redisUrl: redis.url, dependencyRetryMs: 200, sharedSource: (id) => controller.poller.repository(id) });
  await controller.start();
  const trace = await CommitTrace.watch(runtime.cluster);
  controller.poller.on('revision', () => trace.mark('revision seen'));
  worker.worker.on('started', () => trace.mark('job started'));
  // A sync holds its app until the health gate passed (new pods Ready for 5 s): each round commits to an app in sync.
  const finished = new Set<string>();
  for (const event of ['completed', 'failed', 'skipped'] as const) worker.worker.on(event, ({ request }) => finished.add(request.revision));
  const client = startVersionWatcher(`http://${clusterIP}:8080/`);
  try {
    await within(client.expect('v0'), 180_000);
    const times: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      const head = git(work, 'rev-parse', 'HEAD');
      await until(async () => finished.has(head), 60_000);
      await writeFile(join(work, 'apps/web/web.yaml'), webApp(`v${i}`, clusterIP));
      const start = performance.now();
      trace.begin(`v${i}`);
      const answered = client.expect(`v${i}`);
      await gitAsync(work, 'commit', '-qam', `v${i}`);
      await publish();
      const at = (await within(answered, 180_000)) - performance.timeOrigin;
      times.push(at - start);
      trace.mark('served', at);
      trace.end();
    }
    console.log(`${label.padEnd(52)} median ${median(times).toFixed(0).padStart(6)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})${goal}`);
    console.log(trace.table());
  } finally {
    trace.stop();
    client.stop();
    await worker.close(true);
    await controller.close();
    await runtime.close({ stopPods: true });
    await redis.stop();
  }
}

async function monorepo(dir: string, apps: number): Promise<string> {
  const repo = join(dir, 'mono');
  await mkdir(repo, { recursive: true });
  const lines = ['apps:'];
  for (let i = 0; i < apps; i++) {
    await mkdir(join(repo, `apps/app-${i}`), { recursive: true });
    await writeFile(join(repo, `apps/app-${i}/config.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app-${i} }\ndata: { version: "1" }\n`);
    lines.push(`  - { name: app-${i}, path: apps/app-${i}, namespace: mono }`);
  }
  await writeFile(join(repo, 'baton.yaml'), `${lines.join('\n')}\n`);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'apps');
  return repo;
}

/** Plans of a 1,000-app repository: first (all rendered), then a commit touching one app; then idle polling. */
async function thousandApps(dir: string): Promise<void> {
  const redis = await startRedisServer({ dir: join(dir, 'mono-redis') });
  const repo = await monorepo(dir, 1000);
  const stateDir = join(dir, 'mono-state');
  const spec: RepositorySpec = { id: repoId(repo), url: repo, intervalSeconds: 1 };
  const controller = new AppController({ stateDir, redisUrl: redis.url, repositories: [spec], driftCheckMs: 0 });
  const revisions: number[] = [];
  controller.poller.on('revision', () => revisions.push(performance.now()));
  let start = performance.now();
  await controller.start();
  await until(async () => revisions.length > 0);
  await sleep(10);
  await controller.idle();
  const firstPlan = performance.now() - start;
  const render = await oneRender(repo, join(dir, 'render-state'));
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`${'first plan of 1,000 apps (all rendered, queued)'.padEnd(52)} ${ms(firstPlan).padStart(16)}   goal ≤ 2,000 ms   floor: 1,000 × one render = ${ms(1000 * render)}`);
  const times: number[] = [];
  for (let i = 2; i < 2 + rounds; i++) {
    await writeFile(join(repo, 'apps/app-7/config.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app-7 }\ndata: { version: "${i}" }\n`);
    const seen = revisions.length;
    git(repo, 'commit', '-qam', `app-7 v${i}`);
    await until(async () => revisions.length > seen);
    start = revisions[seen];
    await sleep(10);
    await controller.idle();
    times.push(performance.now() - start);
  }
  console.log(`${'controller: commit touching 1 of 1,000 apps planned'.padEnd(52)} median ${ms(median(times)).padStart(9)}   goal ≤ 50 ms   anchor: one render of one app ${render.toFixed(1)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);
  await controller.close();
  if (process.argv[2] === 'planner') {
    await redis.stop();
    return plannerOnly(repo, stateDir, render);
  }

  await idleController(dir, repo, redis.url);
  await redis.stop();
  await plannerOnly(repo, stateDir, render);
}

/** Part 3: the idle controller following the 1,000-app repository, and the anchor, each in a process of its own. */
async function idleController(dir: string, repo: string, redisUrl: string): Promise<void> {
  // Each in a process of its own, so the figure is the controller's memory, not this bench's.
  execFileSync('npm', ['run', '-s', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
  const idle = idleProcess([repo, redisUrl, join(dir, 'idle-state')]);
  const bare = idleProcess(['bare']);
  const [following, anchor] = await Promise.all([idle, bare]);
  const drift = await idleWithDriftChecks(dir, repo);
  if (!drift.clientNodeLoaded) throw new Error('the idle controller with drift checks on never loaded @kubernetes/client-node: its drift checks did not reach the cluster');
  const figures = (f: IdleFigures) => `RSS median ${f.rssMiB.toFixed(0)} MiB, max ${f.rssMaxMiB.toFixed(0)} (heap ${f.heapMiB.toFixed(0)} MiB)`;
  console.log(
    `${'idle controller following the 1,000-app repository (compiled)'.padEnd(52)} ${figures(drift)}   goal ≤ 150 MiB   anchor: same modules loaded, no repository ${anchor.rssMiB.toFixed(0)} MiB; CPU ${drift.cpuPercent.toFixed(2)}% of one core\n` +
      `${''.padEnd(52)} (the 1,000 apps synced to the built-in runtime, median over ${DRIFT_IDLE_MS / 1000} s, drift checks every ${DRIFT_CHECK_MS / 1000} s reading their live objects through @kubernetes/client-node, polled every 1 s)\n` +
      `${'  the same with drift checks off'.padEnd(52)} ${figures(following)}; CPU ${following.cpuPercent.toFixed(2)}% of one core (client-node never loaded)`,
  );
}

/** How often the idle controller checks drift in part 3 (`baton up`: every 30 s), so that checks fall inside its window of measuring. */
const DRIFT_CHECK_MS = 10_000;
/**
 * Its window: six rounds of checks. V8 shrinks a young generation that the first plan grew only at a
 * scavenge once allocation has slowed, 25–30 s after the first full round at this rate: a 20 s window
 * ended before or after it by chance (121 or 147 MiB median, one tree), where a minute gives the steady state.
 */
const DRIFT_IDLE_MS = 60_000;

/**
 * The idle controller with drift checks on, as `baton up` runs it: the 1,000 apps are first synced to a built-in
 * runtime (in this process, with a worker and a controller of this process, each app one ConfigMap), then the
 * controller alone follows the repository in a process of its own and checks their drift against that runtime.
 */
async function idleWithDriftChecks(dir: string, repo: string): Promise<IdleFigures> {
  const stateDir = join(dir, 'drift-state');
  const redis = await startRedisServer({ dir: join(dir, 'drift-redis') });
  const runtime = await startRuntime({ stateDir, port: 0, node: { defaultRuntimeClass: 'process' } });
  try {
    const spec: RepositorySpec = { id: repoId(repo), url: repo, intervalSeconds: 1 };
    const controller = new AppController({ stateDir, redisUrl: redis.url, repositories: [spec], driftCheckMs: 0 });
    const worker = await startSyncWorker({ stateDir, redisUrl: redis.url, concurrency: 16, sharedSource: (id) => controller.poller.repository(id) });
    const state = new StateStore({ redisUrl: redis.url });
    try {
      await controller.start();
      const deadline = Date.now() + 1_200_000;
      for (;;) {
        const apps = await state.listApps();
        if (apps.length === 1000 && apps.every((a) => a.syncStatus === 'Synced' && a.health === 'Healthy')) break;
        if (Date.now() > deadline) throw new Error(`syncing the 1,000 apps timed out:\n${describeApps(apps.filter((a) => a.syncStatus !== 'Synced' || a.health !== 'Healthy').slice(0, 5))}`);
        await sleep(1000);
      }
    } finally {
      await state.close();
      await worker.close(true);
      await controller.close();
    }
    return await idleProcess([repo, redis.url, stateDir], { DRIFT_CHECK_MS: String(DRIFT_CHECK_MS), IDLE_MS: String(DRIFT_IDLE_MS) });
  } finally {
    await runtime.close({ stopPods: true });
    await redis.stop();
  }
}

interface IdleFigures {
  /** Median over the idle window, sampled every 250 ms. */
  rssMiB: number;
  rssMaxMiB: number;
  /** Heap used, median over the same samples. */
  heapMiB: number;
  cpuPercent: number;
  /** Whether @kubernetes/client-node's code was loaded in it. */
  clientNodeLoaded: boolean;
}

/**
 * bench/support/idle-controller.ts in a child process, compiled as `baton up` runs (dist/, which
 * `npm run build` keeps current): loaded through tsx, every process carries ~85 MiB of the loader.
 */
async function idleProcess(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<IdleFigures> {
  const script = fileURLToPath(new URL('../dist/bench/support/idle-controller.js', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, [script, ...args], { env: { ...env, ...extraEnv }, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as IdleFigures;
}

/** Median time to render app-7 from Git with nothing known about it (the anchor of a plan that renders one app). */
async function oneRender(repo: string, stateDir: string): Promise<number> {
  const source = new RepositorySource({ id: 'mono-render', url: repo, intervalSeconds: 1 }, { stateDir });
  const commit = await source.fetch();
  const config = await readAppConfig(source.tree(commit), 'mono-render');
  if (!config.ok) throw new Error(config.errors.join('\n'));
  const app = config.apps.find((a) => a.name === 'app-7')!;
  const chartsTree = new DiskTree(bundledChartsDir());
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const start = performance.now();
    const plan = await planApp({ app, repo: source, commit, chartsTree });
    if (plan.action !== 'render') throw new Error('app-7 did not render');
    times.push(performance.now() - start);
  }
  return median(times.slice(1));
}

/** planApp alone over the 1,000 apps at a commit touching one, with the keys of the commit before. */
async function plannerOnly(repo: string, stateDir: string, render: number): Promise<void> {
  const source = new RepositorySource({ id: 'mono-planner', url: repo, intervalSeconds: 1 }, { stateDir });
  const chartsTree = new DiskTree(bundledChartsDir());
  const planAll = async (commit: string, keys: Map<string, string>) => {
    const config = await readAppConfig(source.tree(commit), 'mono');
    if (!config.ok) throw new Error(config.errors.join('\n'));
    const apps = orderApps(config.apps);
    let rendered = 0;
    for (const app of apps) {
      const plan = await planApp({ app, repo: source, commit, chartsTree, previous: { inputsKey: keys.get(app.name) } });
      if (plan.action !== 'skip') rendered++;
      keys.set(app.name, plan.inputsKey);
    }
    return rendered;
  };
  const keys = new Map<string, string>();
  await planAll(await source.fetch(), keys);
  const times: number[] = [];
  let rendered = 0;
  for (let i = 0; i < rounds; i++) {
    await writeFile(join(repo, 'apps/app-7/config.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: app-7 }\ndata: { version: "p${i}" }\n`);
    git(repo, 'commit', '-qam', `app-7 p${i}`);
    const commit = await source.fetch();
    const start = performance.now();
    rendered = await planAll(commit, keys);
    times.push(performance.now() - start);
  }
  console.log(`${`planner alone: 1,000 apps, ${rendered} rendered`.padEnd(52)} median ${`${median(times).toFixed(0)} ms`.padStart(9)}   goal ≤ 50 ms   anchor: one render of one app ${render.toFixed(1)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);
}

if (process.argv[2] === 'planner') {
  const dir = await mkdtemp('/tmp/baton-bench-planner-');
  await thousandApps(dir).finally(() => rm(dir, { recursive: true, force: true }));
  process.exit(0);
}

if (process.argv[2] === 'large-app') {
  await largeAppApply(Number(process.argv[3] ?? 20_000));
  process.exit(0);
}
if (process.argv[2] === 'idle') {
  const idleDir = await mkdtemp('/tmp/baton-bench-idle-');
  const redis = await startRedisServer({ dir: join(idleDir, 'redis') });
  try {
    await idleController(idleDir, await monorepo(idleDir, 1000), redis.url);
  } finally {
    await redis.stop();
    await rm(idleDir, { recursive: true, force: true });
  }
  process.exit(0);
}

const dir = await mkdtemp('/tmp/baton-bench-ctl-');
try {
  const work = join(dir, 'work');
  await mkdir(join(work, 'apps/web'), { recursive: true });
  await writeFile(join(work, 'baton.yaml'), 'apps:\n  - { name: web, path: apps/web }\n');
  await writeFile(join(work, 'apps/web/web.yaml'), '');
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '.');
  git(work, 'commit', '-qm', 'init');
  const anchors: number[] = [];
  for (let i = 0; i < 3; i++) anchors.push(await spawnToListening());
  const anchor = `   goal ≤ 500 ms   anchor: node spawn → listening ${median(anchors).toFixed(0)} ms`;
  await latency('commit to serving, local repository (chokidar)', join(dir, 'local'), work, work, async () => undefined, anchor);
  if (process.argv[2] !== 'commit') await theRest(dir, work);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** Parts 1 (HTTP remote) to 4, after the local repository's commit → serving. */
async function theRest(dir: string, work: string): Promise<void> {
  const served = join(dir, 'served');
  await mkdir(served);
  git(served, 'init', '-q', '--bare', '-b', 'main', 'web.git');
  git(work, 'remote', 'add', 'origin', join(served, 'web.git'));
  git(work, 'push', '-q', 'origin', 'main');
  const server = await startGitHttpServer({ root: served });
  try {
    await latency('commit to serving, HTTP remote polled every 1 s', join(dir, 'remote'), work, `${server.url}/web.git`, () => gitAsync(work, 'push', '-q', 'origin', 'main'));
  } finally {
    await server.close();
  }
  await thousandApps(dir);
  if (!process.argv.includes('--skip-large-app')) await largeAppApply();
}
