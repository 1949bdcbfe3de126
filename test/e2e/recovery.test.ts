import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { repoId } from '../../controller/source/normalize-url.js';
import type { StateStore } from '../../controller/state/state-store.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { runBaton } from '../support/baton-cli.js';
import { sleep, waitFor } from '../support/wait.js';
import { describeApps, kubectl, startBaton, stateOf, type BatonProcess } from './support/baton-process.js';

// Issue 15 point 9, through one `baton up` following a Git HTTP remote: a broken baton.yaml fixed
// (back to what it was) resumes the app without a manual sync, self-heal included; a mirror deleted
// while baton runs is cloned again and the next commit deployed; an app removed from baton.yaml
// mid-sync has its sync stopped; a force push is deployed and said, and a remote that stops
// answering shows on the app in the REST API and `baton apps`.

const configMap = (name: string, value: string) => `${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } })}\n`;

/** Never ready (`/ready` answers 503), so its sync waits in the health gate until the progress deadline. */
const NEVER_READY = `
const http = require('http');
const server = http.createServer((req, res) => { res.statusCode = req.url === '/ready' ? 503 : 200; res.end(); })
  .listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
const SLOW = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'slow' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'slow' } },
    template: {
      metadata: { labels: { app: 'slow' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'slow',
            image: 'slow:1',
            command: [process.execPath, '-e', NEVER_READY],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    },
  },
});

const CONF_ONLY = 'apps:\n  - name: conf\n    path: apps/conf\n';
const WITH_SLOW = `${CONF_ONLY}  - name: slow\n    path: apps/slow\n    rollout: { progressDeadlineSeconds: 300 }\n`;

let dir: string;
let work: string;
let server: GitHttpServer;
let url: string;
let baton: BatonProcess;
let state: StateStore;
let queue: SyncQueue;
let kubeconfig: string;
let api: string;

const tail = async () => `${describeApps(await state.listApps())}\nbaton up:\n${baton.output().split('\n').slice(-30).join('\n')}`;

/** Writes files, commits and pushes; returns the commit id. */
async function push(files: Record<string, string>, message: string): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(work, path, '..'), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(work, 'add', '-A');
  await git(work, 'commit', '-qm', message);
  await git(work, 'push', '-q', 'origin', 'HEAD:main');
  return git(work, 'rev-parse', 'HEAD');
}

const waitHealthyAt = (app: string, revision: string, timeoutMs = 60_000) =>
  waitFor(`${app} Synced and Healthy at ${revision.slice(0, 7)}`, async () => {
    const s = await state.getApp(app);
    return s?.revision === revision && s.syncStatus === 'Synced' && s.health === 'Healthy' && s;
  }, { timeoutMs, intervalMs: 250, describe: tail });

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-recovery-');
  const served = join(dir, 'served');
  work = join(dir, 'work');
  await mkdir(served, { recursive: true });
  await git(dir, 'init', '-q', '--bare', '-b', 'main', join(served, 'shop.git'));
  await git(dir, 'init', '-q', '-b', 'main', work);
  await git(work, 'remote', 'add', 'origin', join(served, 'shop.git'));
  await push({ 'baton.yaml': CONF_ONLY, 'apps/conf/a.yaml': configMap('a', '1') }, 'conf v1');
  server = await startGitHttpServer({ root: served });
  url = `${server.url}/shop.git`;
  baton = startBaton(['up', '--default-runtime-class', 'process', '--repo', url, '--branch', 'main', '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods']);
  api = await baton.waitFor(/API:\s+(\S+)/);
  kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/);
  state = stateOf(dir);
  queue = new SyncQueue({ redisUrl: `redis+unix://${join(dir, 'redis.sock')}` });
}, 240_000);

afterAll(async () => {
  await Promise.all([state?.close(), queue?.close()]);
  await baton?.stop();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('recovery', () => {
  it('resumes after baton.yaml is fixed, re-clones a deleted mirror, stops the sync of a removed app, and shows a force push and an unreachable source', { timeout: 300_000 }, async () => {
    const v1 = await git(work, 'rev-parse', 'HEAD');
    await waitHealthyAt('conf', v1, 180_000);
    const applied = (await state.getHistory('conf')).length;

    // A broken baton.yaml holds the app Unknown; the fix (back to the same content) resumes it without an apply.
    await push({ 'baton.yaml': 'apps: [\n' }, 'broken baton.yaml');
    await waitFor('conf Unknown with the baton.yaml error', async () => (await state.getApp('conf'))?.syncStatus === 'Unknown', { timeoutMs: 30_000, intervalMs: 250, describe: tail });
    const fixed = await push({ 'baton.yaml': CONF_ONLY }, 'baton.yaml fixed');
    const resumed = await waitHealthyAt('conf', fixed);
    expect(resumed.message).toBe('');
    expect((await state.getHistory('conf')).length).toBe(applied);
    // Self-heal is back: a deleted object is applied again.
    await kubectl(kubeconfig, 'delete', 'configmap', 'a', '-n', 'conf');
    await waitFor('the drift check to put ConfigMap a back', () => kubectl(kubeconfig, 'get', 'configmap', 'a', '-n', 'conf', '-o', 'name'), { timeoutMs: 30_000, intervalMs: 500, describe: tail });

    // The mirror deleted while baton runs: the next commit is deployed all the same.
    await rm(join(dir, 'git', `${repoId(url)}.git`), { recursive: true, force: true });
    const v2 = await push({ 'apps/conf/a.yaml': configMap('a', '2') }, 'conf v2');
    await waitHealthyAt('conf', v2);
    expect(await kubectl(kubeconfig, 'get', 'configmap', 'a', '-n', 'conf', '-o', 'jsonpath={.data.value}')).toBe('2');

    // An app removed from baton.yaml while its sync waits in the health gate: the sync stops.
    await push({ 'baton.yaml': WITH_SLOW, 'apps/slow/deployment.yaml': `${SLOW}\n` }, 'add slow');
    await waitFor('the sync of slow to be in its health gate', async () => (await queue.pendingState('slow')) === 'active' && (await kubectl(kubeconfig, 'get', 'deployment', 'slow', '-n', 'slow', '-o', 'name')), {
      timeoutMs: 60_000,
      intervalMs: 500,
      describe: tail,
    });
    await push({ 'baton.yaml': CONF_ONLY }, 'remove slow');
    await baton.waitFor(/cancelled: slow is no longer declared in baton\.yaml/, 30_000);
    // The worker logs the cancel as it ends the job; BullMQ then moves the job out of 'active'.
    await waitFor('the cancelled sync of slow to leave the queue', async () => (await queue.pendingState('slow')) === undefined, { timeoutMs: 10_000, intervalMs: 100, describe: tail });
    expect(await state.getApp('slow')).toBeUndefined();
    // Its objects stay (removing an app deletes nothing), and no sync touches them any more.
    const before = await kubectl(kubeconfig, 'get', 'deployment', 'slow', '-n', 'slow', '-o', 'jsonpath={.metadata.resourceVersion}');
    await sleep(3_000);
    expect(await kubectl(kubeconfig, 'get', 'deployment', 'slow', '-n', 'slow', '-o', 'jsonpath={.metadata.resourceVersion}')).toBe(before);
    expect(await state.getApp('slow')).toBeUndefined();

    // A force push of the branch: the new head is deployed, and every app of the repository says what happened.
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const sourceMessage = (pattern: RegExp) =>
      waitFor(`conf's sourceMessage to match ${pattern}`, async () => {
        const res = await fetch(`${api}/apps`, { headers: { authorization: `Bearer ${token}` } });
        const apps = (await res.json()) as { name: string; sourceMessage?: string }[];
        const message = apps.find((a) => a.name === 'conf')?.sourceMessage;
        return message && pattern.test(message) ? message : undefined;
      }, { timeoutMs: 30_000, intervalMs: 250, describe: tail });
    const replaced = await git(work, 'rev-parse', 'HEAD');
    await writeFile(join(work, 'apps/conf/a.yaml'), configMap('a', '3'));
    await git(work, 'commit', '-qa', '--amend', '-m', 'remove slow, conf v3');
    await git(work, 'push', '-qf', 'origin', 'HEAD:main');
    const rewritten = await git(work, 'rev-parse', 'HEAD');
    await waitHealthyAt('conf', rewritten);
    await sourceMessage(new RegExp(`^branch main was force-pushed: ${replaced.slice(0, 7)} is not an ancestor of ${rewritten.slice(0, 7)}$`));

    // The remote stops answering: every app of it says so in the REST API and `baton apps`.
    await server.close();
    await sourceMessage(/^source unreachable since \d\d:\d\d: ECONNREFUSED; branch main was force-pushed/);
    const cli = await runBaton(['apps', '--server', api.replace(/\/api\/v1$/, ''), '--token', token]);
    expect(cli.stdout).toMatch(/conf .*source unreachable since \d\d:\d\d: ECONNREFUSED/);
  });
});
