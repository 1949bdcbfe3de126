// The controller end to end, with real parts (redis-server, the built-in runtime with real pods,
// git, a Git HTTP server):
//   1. commit-to-serving latency: from `git commit` (local repository, seen by chokidar) and from
//      `git push` (HTTP remote polled every 1 s) until the app's Service answers the new version;
//   2. the controller's planning of a commit that touches one app of a 1,000-app monorepo
//      (baton.yaml read, every app's inputs key checked, one app rendered and queued);
//   3. CPU and memory of steady-state polling of that 1,000-app repository with no changes.
//   4. applying one app of 20,000 ConfigMaps (plan → queue → worker), beside the runtime API's raw create rate.
// Run: npx tsx bench/controller.ts [rounds]; `npx tsx bench/controller.ts large-app [count]` runs only 4.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppController } from '../controller/plan/app-controller.js';
import type { RepositorySpec } from '../controller/apps/app-spec.js';
import { parseBatonYaml } from '../controller/apps/parse-baton-yaml.js';
import { planApp } from '../controller/plan/plan-app.js';
import { startRedisServer } from '../controller/redis/redis-server.js';
import { RepositorySource } from '../controller/source/repository.js';
import { repoId } from '../controller/source/normalize-url.js';
import { bundledChartsDir } from '../controller/apps/bundled-paths.js';
import { startSyncWorker } from '../controller/sync/start-sync-worker.js';
import { DiskTree } from '../renderer/index.js';
import { startRuntime } from '../runtime/runtime-server.js';
import { startGitHttpServer } from '../test/support/git-http-server.js';
import { largeAppApply } from './support/large-app-apply.js';

const rounds = Number(process.argv[2] ?? 3);
const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'b@b' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
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

async function answer(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return await res.text();
  } catch {
    return undefined;
  }
}

async function until(check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

/** One app from `repoUrl` through redis, the runtime, the controller and a worker; times commit → new version answering. */
async function latency(label: string, dir: string, work: string, repoUrl: string, publish: () => void): Promise<void> {
  const redis = await startRedisServer({ dir: join(dir, 'redis') });
  const clusterIP = `127.2.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}`;
  await writeFile(join(work, 'apps/web/web.yaml'), webApp('v0', clusterIP));
  git(work, 'commit', '-qam', 'v0');
  publish();
  const stateDir = join(dir, 'state');
  const runtime = await startRuntime({ stateDir, port: 0, node: { defaultRuntimeClass: 'process' } });
  const spec: RepositorySpec = { id: repoId(repoUrl), url: repoUrl, intervalSeconds: 1 };
  const controller = new AppController({ stateDir, redisUrl: redis.url, repositories: [spec], driftCheckMs: 0 });
  const worker = await startSyncWorker({ stateDir, redisUrl: redis.url, dependencyRetryMs: 200 });
  await controller.start();
  const url = `http://${clusterIP}:8080/`;
  try {
    await until(async () => (await answer(url)) === 'v0');
    const times: number[] = [];
    for (let i = 1; i <= rounds; i++) {
      await writeFile(join(work, 'apps/web/web.yaml'), webApp(`v${i}`, clusterIP));
      const start = performance.now();
      git(work, 'commit', '-qam', `v${i}`);
      publish();
      await until(async () => (await answer(url)) === `v${i}`);
      times.push(performance.now() - start);
    }
    console.log(`${label.padEnd(52)} median ${median(times).toFixed(0).padStart(6)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);
  } finally {
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
  console.log(`${'first plan of 1,000 apps (all rendered, queued)'.padEnd(52)} ${(performance.now() - start).toFixed(0).padStart(13)} ms`);
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
  console.log(`${'controller: commit touching 1 of 1,000 apps planned'.padEnd(52)} median ${median(times).toFixed(0).padStart(6)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);

  global.gc?.();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await sleep(20_000);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(`${'idle polling of the 1,000-app repository (1 s)'.padEnd(52)} CPU ${((100 * (cpu.user + cpu.system)) / 1000 / wall).toFixed(2)}% of one core, RSS ${rss.toFixed(0)} MiB (this process)`);
  await controller.close();
  await redis.stop();
  await plannerOnly(repo, stateDir);
}

/** planApp alone over the 1,000 apps at a commit touching one, with the keys of the commit before. */
async function plannerOnly(repo: string, stateDir: string): Promise<void> {
  const source = new RepositorySource({ id: 'mono-planner', url: repo, intervalSeconds: 1 }, { stateDir });
  const chartsTree = new DiskTree(bundledChartsDir());
  const planAll = async (commit: string, keys: Map<string, string>) => {
    const text = (await source.tree(commit).read('baton.yaml'))!.toString('utf8');
    const { apps } = parseBatonYaml(text, 'baton.yaml', 'mono');
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
  console.log(`${`planner alone: 1,000 apps, ${rendered} rendered`.padEnd(52)} median ${median(times).toFixed(0).padStart(6)} ms   (${times.map((t) => t.toFixed(0)).join(', ')})`);
}

if (process.argv[2] === 'large-app') {
  await largeAppApply(Number(process.argv[3] ?? 20_000));
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
  await latency('commit to serving, local repository (chokidar)', join(dir, 'local'), work, work, () => undefined);

  const served = join(dir, 'served');
  await mkdir(served);
  git(served, 'init', '-q', '--bare', '-b', 'main', 'web.git');
  git(work, 'remote', 'add', 'origin', join(served, 'web.git'));
  git(work, 'push', '-q', 'origin', 'main');
  const server = await startGitHttpServer({ root: served });
  try {
    await latency('commit to serving, HTTP remote polled every 1 s', join(dir, 'remote'), work, `${server.url}/web.git`, () => git(work, 'push', '-q', 'origin', 'main'));
  } finally {
    await server.close();
  }
  await thousandApps(dir);
  await largeAppApply();
} finally {
  await rm(dir, { recursive: true, force: true });
}
