/**
 * Webhook-to-serving latency: how long from `git push` until the ingress
 * serves the change, for (a) a one-service change of a production app and
 * (b) a new pull request preview, with a signed GitHub webhook; and the same
 * one-service change found by a 1 s poll instead, side by side.
 *
 *   npx tsx bench/webhook-to-serving.ts [--rounds 3]
 *
 * Runs `baton up` (a child process, as users run it) against a Git HTTP
 * server on loopback holding three apps of examples-repo (pricing, inventory,
 * catalog with previews). Not part of `npm test`.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StateStore } from '../controller/state/state-store.js';
import { startBaton, type BatonProcess } from '../test/e2e/support/baton-process.js';
import { waitFor } from '../test/support/wait.js';
import { request } from '../test/ingress/helpers.js';
import { git, startGitHttpServer, type GitHttpServer } from '../test/support/git-http-server.js';
import { githubExample, sendGithub, type WebhookServer } from '../test/webhooks/webhook-harness.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(flags.rounds);
const SECRET = 'bench-secret';

const BATON_YAML = `apps:
  - { name: pricing, chart: web-service, namespace: shop, values: [services/shop.yaml, services/pricing/values.yaml, environments/prod/pricing.yaml], set: { replicas: 1 } }
  - { name: inventory, chart: web-service, namespace: shop, values: [services/shop.yaml, services/inventory/values.yaml, environments/prod/inventory.yaml], set: { replicas: 1 } }
  - name: catalog
    chart: web-service
    namespace: shop
    values: [services/shop.yaml, services/catalog/values.yaml, environments/prod/catalog.yaml]
    set: { replicas: 1 }
    dependsOn: [pricing, inventory]
    preview: { enabled: true, values: { replicas: 1 } }
`;

interface Setup {
  dir: string;
  work: string;
  server: GitHttpServer;
  baton: BatonProcess;
  state: StateStore;
  api: string;
  ingressPort: number;
}

async function setUp(interval: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const dir = await mkdtemp('/tmp/baton-bench-hooks-');
  const work = join(dir, 'work');
  const root = join(dir, 'served');
  await mkdir(root);
  await cp(join(import.meta.dirname, '../examples-repo'), work, { recursive: true });
  await writeFile(join(work, 'baton.yaml'), BATON_YAML);
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '.');
  await git(work, 'commit', '-qm', 'three apps');
  await git(root, 'init', '-q', '--bare', '-b', 'main', 'shop.git');
  await git(work, 'remote', 'add', 'origin', join(root, 'shop.git'));
  await git(work, 'push', '-q', 'origin', 'main');
  const server = await startGitHttpServer({ root });
  const baton = startBaton(
    ['up', '--default-runtime-class', 'process', '--repo', `${server.url}/shop.git`, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', interval, '--stop-pods', ...extraArgs],
    { BATON_GITHUB_WEBHOOK_SECRET: SECRET, ...env },
  );
  const api = await baton.waitFor(/API:\s+(http:\/\/\S+?)\/api\/v1/);
  const ingressPort = Number(new URL(await baton.waitFor(/ingress:\s+(http\S+)/)).port);
  const state = new StateStore({ redisUrl: `redis+unix://${join(dir, 'redis.sock')}` });
  await waitFor('three apps Healthy', async () => {
    const apps = await state.listApps();
    return apps.length === 3 && apps.every((a) => a.health === 'Healthy' && a.syncStatus === 'Synced');
  }, { timeoutMs: 300_000, intervalMs: 500 });
  return { dir, work, server, baton, state, api, ingressPort };
}

async function tearDown(s: Setup): Promise<void> {
  await s.state.close();
  await s.baton.stop();
  await s.server.close();
  await rm(s.dir, { recursive: true, force: true });
}

async function serving(port: number, host: string, version: string): Promise<boolean> {
  const res = await request(port, host, '/version').catch(() => undefined);
  return res?.status === 200 && JSON.parse(res.body).version === version;
}

/** Polls the ingress every 50 ms until it serves `version` at `host`; returns ms since `since`. */
async function until(s: Setup, host: string, version: string, since: number): Promise<number> {
  const deadline = Date.now() + 300_000;
  while (!(await serving(s.ingressPort, host, version))) {
    if (Date.now() > deadline) throw new Error(`${host} never served ${version}:\n${s.baton.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - since;
}

async function commitCatalog(s: Setup, version: string): Promise<string> {
  await writeFile(join(s.work, 'environments/prod/catalog.yaml'), `version: "${version}"\nreplicas: 1\ningress:\n  host: catalog.localhost\n`);
  await git(s.work, 'commit', '-qam', `catalog ${version}`);
  return git(s.work, 'rev-parse', 'HEAD');
}

function pushPayload(s: Setup, sha: string) {
  const push = githubExample('push', (p) => typeof p.ref === 'string' && (p.ref as string).startsWith('refs/heads/')) as any;
  Object.assign(push, { ref: 'refs/heads/main', after: sha });
  push.repository.clone_url = `${s.server.url}/shop.git`;
  return push;
}

function prPayload(s: Setup, number: number, sha: string) {
  const pr = githubExample('pull_request', (p) => p.action === 'opened') as any;
  pr.number = number;
  pr.repository.clone_url = `${s.server.url}/shop.git`;
  Object.assign(pr.pull_request, { number, labels: [] });
  Object.assign(pr.pull_request.head, { sha, ref: `change-${number}`, repo: { ...pr.pull_request.base.repo } });
  return pr;
}

/** Commits a new catalog version, pushes it, tells baton (or not: `announce` may do nothing); ms until served. */
async function changeRound(s: Setup, version: string, announce: (sha: string) => Promise<unknown>): Promise<number> {
  const sha = await commitCatalog(s, version);
  const t0 = Date.now();
  await git(s.work, 'push', '-q', 'origin', 'main');
  await announce(sha);
  return until(s, 'catalog.localhost', version, t0);
}

/** Opens pull request `number` changing catalog's version; ms until its preview serves it. */
async function previewRound(s: Setup, number: number, version: string, announce: (number: number, sha: string) => Promise<unknown>): Promise<number> {
  await git(s.work, 'checkout', '-qb', `change-${number}`);
  const sha = await commitCatalog(s, version);
  const t0 = Date.now();
  await git(s.work, 'push', '-q', 'origin', `HEAD:refs/pull/${number}/head`);
  await announce(number, sha);
  const ms = await until(s, `pr-${number}.catalog.localhost`, version, t0);
  await git(s.work, 'checkout', '-q', 'main');
  return ms;
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms (n=${xs.length})`;
};

async function main(): Promise<void> {
  const hooks = await setUp('10m');
  const hookOne: number[] = [];
  const hookPreview: number[] = [];
  try {
    const server = { url: hooks.api } as WebhookServer;
    for (let i = 0; i < rounds; i++) {
      hookOne.push(await changeRound(hooks, `1.6.${i}`, (sha) => sendGithub(server, 'push', pushPayload(hooks, sha), SECRET)));
    }
    for (let i = 0; i < rounds; i++) {
      hookPreview.push(await previewRound(hooks, 100 + i, `2.0.${i}-pr`, (number, sha) => sendGithub(server, 'pull_request', prPayload(hooks, number, sha), SECRET)));
    }
  } finally {
    await tearDown(hooks);
  }

  // The 1 s poll: Git refs every second, and open pull requests from a local stand-in for GitHub's
  // "list pull requests" API (the pull request objects of GitHub's own examples) every second.
  const open: unknown[] = [];
  const fakeApi = createServer((req, res) => {
    if (req.url?.startsWith('/repos/acme/shop/pulls')) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(open));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((done) => fakeApi.listen(0, '127.0.0.1', done));
  const poll = await setUp('1s', ['--pull-requests', 'github:acme/shop', '--pull-request-interval', '1s'], {
    BATON_GITHUB_TOKEN: 'bench-token',
    BATON_GITHUB_API_URL: `http://127.0.0.1:${(fakeApi.address() as AddressInfo).port}`,
  });
  const pollOne: number[] = [];
  const pollPreview: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) pollOne.push(await changeRound(poll, `1.7.${i}`, async () => undefined));
    for (let i = 0; i < rounds; i++) {
      pollPreview.push(await previewRound(poll, 200 + i, `2.1.${i}-pr`, async (number, sha) => void open.push(prPayload(poll, number, sha).pull_request)));
    }
  } finally {
    await tearDown(poll);
    await new Promise((done) => fakeApi.close(done));
  }

  const cpu = (await readFile('/proc/cpuinfo', 'utf8')).split('\n').filter((l) => l.startsWith('processor')).length;
  console.log(`webhook-to-serving (git push → the ingress serves the change), ${cpu} CPUs`);
  console.log(`  one-service change   webhook:   ${stats(hookOne)}`);
  console.log(`  one-service change   1 s poll:  ${stats(pollOne)}`);
  console.log(`  new preview          webhook:   ${stats(hookPreview)}`);
  console.log(`  new preview          1 s poll:  ${stats(pollPreview)}  (--pull-requests, GitHub's list API every 1 s)`);
  console.log('  (the rollout itself — pod start, readiness, minReadySeconds 3 s — is most of each figure)');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
