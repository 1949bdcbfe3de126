import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { keepRequesting } from '../apply/apply-harness.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { describeApps, kubectl, serviceAddress, startBaton, stateOf, type BatonProcess } from './support/baton-process.js';
import { sleep, waitFor } from '../support/wait.js';

// One small app synced from a real Git HTTP remote by `baton up --no-worker` and a separate
// `baton worker` process: deploys, an automatic rollback, coalesced commits, a killed worker.

/** Serves VERSION on `/`; `/ready` fails while BROKEN is set; drains on SIGTERM. */
const SERVER = `
const http = require('http');
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  res.end(process.env.VERSION);
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function deployment(version: string, broken: boolean): string {
  const env = [{ name: 'VERSION', value: version }, ...(broken ? [{ name: 'BROKEN', value: '1' }] : [])];
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'web',
              image: `web:${version}`,
              command: [process.execPath, '-e', SERVER],
              env,
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    },
  });
}

// Every runtime hands out ClusterIPs from 127.2.0.1 up, so runtimes of tests running in parallel on one
// machine would fight over the first addresses: this test asks for an address of its own.
const CLUSTER_IP = `127.2.${100 + Math.floor(Math.random() * 150)}.${1 + Math.floor(Math.random() * 250)}`;
const SERVICE = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { clusterIP: CLUSTER_IP, selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
});

const BATON_YAML = `apps:
  - name: web
    path: apps/web
    rollout: { progressDeadlineSeconds: 20, autoRollback: true }
`;

let dir: string;
let work: string;
let served: string;
let server: GitHttpServer;
let baton: BatonProcess;
let worker: BatonProcess;
let state: StateStore;
let kubeconfig: string;

/** Commits (and pushes) a new version of the app; returns the commit id. */
async function release(version: string, broken = false, push = true): Promise<string> {
  await writeFile(join(work, 'apps/web/deployment.yaml'), `${deployment(version, broken)}\n`);
  await git(work, 'commit', '-qam', `web ${version}${broken ? ' (broken)' : ''}`);
  if (push) await git(work, 'push', '-q', 'origin', 'main');
  return git(work, 'rev-parse', 'HEAD');
}

async function answer(address: string): Promise<string> {
  const res = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(5000) });
  return res.ok ? res.text() : `HTTP ${res.status}`;
}

const tail = () => `baton up:\n${baton.output().split('\n').slice(-15).join('\n')}\nworker:\n${worker.output().split('\n').slice(-15).join('\n')}`;

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-e2e-');
  const root = join(dir, 'served');
  work = join(dir, 'work');
  await mkdir(join(work, 'apps/web'), { recursive: true });
  await mkdir(root);
  await git(root, 'init', '-q', '--bare', '-b', 'main', 'web.git');
  served = join(root, 'web.git');
  await git(work, 'init', '-q', '-b', 'main');
  await writeFile(join(work, 'baton.yaml'), BATON_YAML);
  await writeFile(join(work, 'apps/web/service.yaml'), `${SERVICE}\n`);
  await writeFile(join(work, 'apps/web/deployment.yaml'), `${deployment('v1', false)}\n`);
  await git(work, 'add', '.');
  await git(work, 'commit', '-qm', 'web v1');
  await git(work, 'remote', 'add', 'origin', join(root, 'web.git'));
  await git(work, 'push', '-q', 'origin', 'main');
  server = await startGitHttpServer({ root });

  baton = startBaton(['up', '--default-runtime-class', 'process', '--repo', `${server.url}/web.git`, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods', '--no-worker']);
  kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/);
  worker = startBaton(['worker', '--state-dir', dir]);
  await worker.waitFor(/taking sync jobs/);
  state = stateOf(dir);
}, 180_000);

afterAll(async () => {
  await state?.close();
  await worker?.stop();
  await baton?.stop();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 180_000);

describe('baton up following a Git HTTP remote', () => {
  let address: string;
  let hammer: ReturnType<typeof keepRequesting>;

  it('deploys the first commit, then a new commit while a client keeps calling the Service', { timeout: 300_000 }, async () => {
    await waitFor('web Healthy', async () => (await state.getApp('web'))?.health === 'Healthy', { timeoutMs: 180_000, intervalMs: 250, describe: tail });
    address = await serviceAddress(kubeconfig, 'web', 'web');
    expect(await answer(address)).toBe('v1');

    hammer = keepRequesting(`http://${address}/`);
    const v2 = await release('v2');
    await waitFor('v2 answering', async () => (await answer(address)) === 'v2', { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    await waitFor('web Synced at v2', async () => (await state.getApp('web'))?.revision === v2, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
  });

  it('rolls a version that never becomes ready back, says why, and deploys the next good commit', { timeout: 300_000 }, async () => {
    const v3 = await release('v3', true);
    const app = await waitFor(
      'web rolled back',
      async () => {
        const s = await state.getApp('web');
        return s?.lastFailedRevision === v3 && s.health === 'Degraded' && s;
      },
      { timeoutMs: 180_000, intervalMs: 250, describe: tail },
    );
    expect(app.message).toMatch(/rolled back/);
    expect(app.message).toMatch(/web/);
    const [last] = await state.getHistory('web');
    expect(last).toMatchObject({ revision: v3, result: 'RolledBack' });
    expect(await answer(address)).toBe('v2');

    const v4 = await release('v4');
    await waitFor('v4 answering', async () => (await answer(address)) === 'v4', { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    await waitFor('web Synced and Healthy at v4', async () => {
      const s = await state.getApp('web');
      return s?.revision === v4 && s.syncStatus === 'Synced' && s.health === 'Healthy';
    }, { timeoutMs: 60_000, intervalMs: 250, describe: tail });

    const seen = await hammer.stop();
    expect(seen.failed, 'requests that failed during the rollouts and the rollback').toEqual([]);
    expect([...seen.ok.keys()].sort()).toEqual(['v1', 'v2', 'v4']);
  });

  it('syncs ten commits arriving in one push at most twice, ending at the newest', { timeout: 300_000 }, async () => {
    const before = (await state.getHistory('web')).length;
    let newest = '';
    for (let i = 5; i <= 14; i++) newest = await release(`v${i}`, false, false);
    await git(work, 'push', '-q', 'origin', 'main');
    await waitFor('v14 answering', async () => (await answer(address)) === 'v14', { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    await waitFor('web Synced at the newest commit', async () => (await state.getApp('web'))?.revision === newest, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    await sleep(3000);
    const history = await state.getHistory('web');
    const syncs = history.length - before;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(2);
    expect(history[0]).toMatchObject({ revision: newest, result: 'Succeeded' });
  });

  it('syncs ten commits pushed one by one within a second at most twice, ending at the newest', { timeout: 300_000 }, async () => {
    const before = (await state.getHistory('web')).length;
    const commits: string[] = [];
    for (let i = 15; i <= 24; i++) commits.push(await release(`v${i}`, false, false));
    // The objects go up first; then the branch moves ten times in one second, as ten quick pushes
    // would move it (a busy machine makes ten real `git push` runs take far longer than a second).
    await git(work, 'push', '-q', 'origin', `${commits.at(-1)!}:refs/heads/incoming`);
    for (const commit of commits) {
      await git(served, 'update-ref', 'refs/heads/main', commit);
      await sleep(100);
    }
    const newest = commits.at(-1)!;
    await waitFor('v24 answering', async () => (await answer(address)) === 'v24', { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    await waitFor('web Synced at the newest commit', async () => (await state.getApp('web'))?.revision === newest, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    await sleep(3000);
    const history = await state.getHistory('web');
    const shown = history.slice(0, history.length - before).map((h) => `${h.revision.slice(0, 7)} ${h.result} ${h.trigger} ${h.startedAt} ${h.message.split('\n')[0]}`);
    expect(history.length - before, `syncs:\n${shown.join('\n')}\n${tail()}`).toBeLessThanOrEqual(2);
    expect(history[0]).toMatchObject({ revision: newest, result: 'Succeeded' });
    await git(work, 'fetch', '-q', 'origin');
  });

  it('shows a manifest that does not render, then a broken baton.yaml, at file:line:col, applying nothing', { timeout: 300_000 }, async () => {
    const syncs = (await state.getHistory('web')).length;
    const commit = async (message: string) => {
      await git(work, 'commit', '-qam', message);
      await git(work, 'push', '-q', 'origin', 'main');
      return git(work, 'rev-parse', 'HEAD');
    };
    await writeFile(join(work, 'apps/web/deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web\n');
    const broken = await commit('a typo');
    const degraded = await waitFor(
      'web Degraded by the render error',
      async () => {
        const s = await state.getApp('web');
        return s?.observedRevision === broken && s.health === 'Degraded' && s;
      },
      { timeoutMs: 60_000, intervalMs: 250, describe: tail },
    );
    expect(degraded.message).toMatch(/apps\/web\/deployment\.yaml:\d+:\d+: /);
    expect(degraded.message).toMatch(/nothing was applied/);
    expect(await answer(address)).toBe('v24');

    await writeFile(join(work, 'apps/web/deployment.yaml'), `${deployment('v24', false)}\n`);
    await writeFile(join(work, 'baton.yaml'), BATON_YAML.replace('progressDeadlineSeconds: 20', 'progressDeadlineSeconds: soon'));
    const badConfig = await commit('a typo in baton.yaml');
    const configError = await waitFor(
      'web showing the baton.yaml error',
      async () => {
        const s = await state.getApp('web');
        return s?.observedRevision === badConfig && /baton\.yaml:\d+:\d+: /.test(s.message) && s;
      },
      { timeoutMs: 60_000, intervalMs: 250, describe: tail },
    );
    expect(configError.message).toMatch(/progressDeadlineSeconds/);
    expect(await answer(address)).toBe('v24');
    expect((await state.getHistory('web')).length).toBe(syncs);

    await writeFile(join(work, 'baton.yaml'), BATON_YAML);
    const fixed = await commit('fix baton.yaml');
    await waitFor('web Synced and Healthy again', async () => {
      const s = await state.getApp('web');
      return s?.observedRevision === fixed && s.syncStatus === 'Synced' && s.health === 'Healthy';
    }, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    expect(await answer(address)).toBe('v24');
  });

  it('recovers a sync whose worker was SIGKILLed: the app converges with no duplicate pods', { timeout: 400_000 }, async () => {
    const v30 = await release('v30');
    await waitFor('the sync of v30 to start', async () => (await state.getApp('web'))?.syncStatus === 'Syncing', { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    await worker.kill();
    worker = startBaton(['worker', '--state-dir', dir]);
    await worker.waitFor(/taking sync jobs/);
    await waitFor(
      'web Synced and Healthy at v30',
      async () => {
        const s = await state.getApp('web');
        return s?.revision === v30 && s.syncStatus === 'Synced' && s.health === 'Healthy';
      },
      { timeoutMs: 240_000, intervalMs: 250, describe: async () => `${describeApps(await state.listApps())}\n${tail()}` },
    );
    expect(await answer(address)).toBe('v30');
    const pods = await waitFor(
      'exactly two web pods',
      async () => {
        const list = JSON.parse(await kubectl(kubeconfig, 'get', 'pods', '-n', 'web', '-l', 'app=web', '-o', 'json')) as { items: any[] };
        return list.items.length === 2 && list.items;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    for (const pod of pods) expect(pod.spec.containers[0].env).toContainEqual({ name: 'VERSION', value: 'v30' });
  });

  it('rolls back through the REST API to the kept manifests, stays pinned over new commits, and a manual sync unpins', { timeout: 300_000 }, async () => {
    const api = await baton.waitFor(/API:\s+(http\S+)/);
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${api}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(202);
      return (await res.json()) as { revision: string };
    };
    const { revision } = await post('/apps/web/rollback', {});
    await waitFor('v24 answering after the rollback', async () => (await answer(address)) === 'v24', { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    // Live is the pinned revision, and the branch is ahead of it: OutOfSync, as Argo CD shows a rolled-back app.
    const pinned = await waitFor('web at the pinned revision', async () => {
      const s = await state.getApp('web');
      return s?.revision === revision && s.pinnedRevision === revision && s.health === 'Healthy' && s;
    }, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    expect(pinned.syncStatus).toBe('OutOfSync');
    expect(pinned.message).toMatch(/^pinned to [0-9a-f]{7} by a rollback; the branch is at [0-9a-f]{7} \(`baton sync web` follows it again\)$/);
    expect((await state.getHistory('web'))[0]).toMatchObject({ revision, trigger: 'rollback', result: 'Succeeded' });

    const v31 = await release('v31');
    await waitFor('the controller to see v31', async () => (await state.getApp('web'))?.observedRevision === v31, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    await sleep(3000);
    expect(await answer(address)).toBe('v24');

    await post('/apps/web/sync', {});
    await waitFor('v31 answering after the manual sync', async () => (await answer(address)) === 'v31', { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    expect((await state.getApp('web'))?.pinnedRevision).toBeUndefined();
  });
});
