import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { git } from '../support/git-http-server.js';
import { describeApps, getJson, kubectl, serviceAddress, startBaton, stateOf, type BatonProcess } from './support/baton-process.js';
import { sleep, waitFor } from '../support/wait.js';

// The headline: `baton up` alone brings the 15-service shop to Healthy, and a commit to
// the state dir's copy of the repository is deployed. Heavy (17 pods): one test, generous timeouts.
const SHOP_APPS = 15;

let dir: string;
let baton: BatonProcess;
let state: StateStore | undefined;
/** Set while the last baton up was stopped without --stop-pods: its pods still run. */
let podsLeftRunning = false;
const upArgs = () => ['up', '--default-runtime-class', 'process', '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s'];

beforeAll(async () => {
  // Short: the Redis socket path must stay under 108 bytes.
  dir = await mkdtemp('/tmp/baton-e2e-');
  baton = startBaton(upArgs());
});

afterAll(async () => {
  await state?.close();
  if (baton && baton.child.exitCode === null && baton.child.signalCode === null) {
    // Still running: whichever instance it is, stop it with its pods.
    await baton.stop();
    if (podsLeftRunning || !baton.output().includes('stopping pods')) {
      const cleanup = startBaton([...upArgs(), '--stop-pods']);
      await cleanup.waitFor(/baton is up/).catch(() => undefined);
      await cleanup.stop();
    }
  } else if (podsLeftRunning) {
    const cleanup = startBaton([...upArgs(), '--stop-pods']);
    await cleanup.waitFor(/baton is up/).catch(() => undefined);
    await cleanup.stop();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 240_000);

describe('baton up', () => {
  it('brings the shop to Healthy, the gateway answers with its upstreams, and a commit to the repository is deployed', { timeout: 900_000 }, async () => {
    const kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/);
    const repo = await baton.waitFor(/repository:\s+(\S+)/);
    expect(repo).toBe(join(dir, 'repo'));
    state = stateOf(dir);
    const store = state;

    const apps = await waitFor(
      'all 15 apps Synced and Healthy',
      async () => {
        const list = await store.listApps();
        return list.length === SHOP_APPS && list.every((a) => a.syncStatus === 'Synced' && a.health === 'Healthy') && list;
      },
      { timeoutMs: 600_000, intervalMs: 250, describe: () => baton.output().split('\n').slice(-40).join('\n') },
    );
    const first = apps[0].revision;
    expect(apps.every((a) => a.revision === first)).toBe(true);

    // The gateway's /api/status asks each of its eight upstreams for its version, through their Services.
    const gateway = await serviceAddress(kubeconfig, 'shop', 'gateway');
    const status = await getJson(`http://${gateway}/api/status`);
    expect(Object.keys(status.services).sort()).toEqual(['auth', 'cart', 'catalog', 'checkout', 'frontend', 'orders', 'recommendations', 'search']);
    for (const [name, answer] of Object.entries(status.services as Record<string, { version?: string; error?: string }>)) {
      expect(answer.error, `${name} answered through the gateway`).toBeUndefined();
      expect(answer.version).toMatch(/^\d+\.\d+\.\d+/);
    }
    const products = await getJson(`http://${gateway}/api/products`);
    expect(JSON.stringify(products).length).toBeGreaterThan(2);

    // The same through the ingress (Host shop.localhost), and the REST API reports the shop.
    const ingress = await baton.waitFor(/ingress:\s+(http\S+)/);
    // fetch() may not set Host; node:http may.
    const viaIngress = await new Promise<{ status?: number; body: string }>((done, fail) => {
      http
        .get(`${ingress}/api/status`, { headers: { host: 'shop.localhost' } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => done({ status: res.statusCode, body }));
        })
        .on('error', fail);
    });
    expect(viaIngress.status, viaIngress.body).toBe(200);
    expect(JSON.parse(viaIngress.body).services.catalog.version).toMatch(/^\d+\.\d+\.\d+/);
    const api = await baton.waitFor(/API:\s+(http\S+)/);
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const listed = (await (await fetch(`${api}/apps`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ name: string; health: string }>;
    expect(listed.map((a) => a.health)).toEqual(Array(SHOP_APPS).fill('Healthy'));

    // A user commits a new catalog version to the repository baton up made; it goes live.
    const values = join(repo, 'environments/prod/catalog.yaml');
    const text = await readFile(values, 'utf8');
    await writeFile(values, text.replace(/^version: .*$/m, 'version: "7.7.7"'));
    await git(repo, 'commit', '-qam', 'catalog 7.7.7');
    const commit = await git(repo, 'rev-parse', 'HEAD');

    await waitFor(
      'the gateway to see catalog 7.7.7',
      async () => (await getJson(`http://${gateway}/api/status`)).services.catalog.version === '7.7.7',
      { timeoutMs: 300_000, intervalMs: 250, describe: () => baton.output().split('\n').slice(-20).join('\n') },
    );
    const catalog = await waitFor(
      'catalog Synced at the new commit',
      async () => {
        const app = await store.getApp('catalog');
        return app?.revision === commit && app.syncStatus === 'Synced' && app.health === 'Healthy' && app;
      },
      { timeoutMs: 120_000, intervalMs: 250, describe: async () => describeApps(await store.listApps()) },
    );
    expect(catalog.revision).toBe(commit);
    expect((await store.getHistory('catalog'))[0]).toMatchObject({ revision: commit, result: 'Succeeded' });
    // Apps the commit did not touch were not synced again.
    expect((await store.getApp('search'))?.revision).toBe(first);
  });

  it('stops on Ctrl-C leaving the pods running; the next baton up re-adopts them and resumes without syncing again', { timeout: 600_000 }, async () => {
    const kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/);
    // Pods being deleted (the last rollout's old ones, still in their grace period) are not part of what must survive.
    const pods = async () =>
      ((JSON.parse(await kubectl(kubeconfig, 'get', 'pods', '-n', 'shop', '-o', 'json')) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }).items)
        .filter((p) => !p.metadata.deletionTimestamp)
        .map((p) => p.metadata.name)
        .sort();
    await waitFor('the last rollout to finish its old pods', async () => {
      const all = (await kubectl(kubeconfig, 'get', 'pods', '-n', 'shop', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').filter(Boolean);
      return all.length === (await pods()).length;
    }, { timeoutMs: 120_000, intervalMs: 250, describe: () => baton.output() });
    const before = await pods();
    const store = state!;
    const syncs = async (s: StateStore) => (await Promise.all((await s.listApps()).map(async (a) => (await s.getHistory(a.name)).length))).reduce((x, y) => x + y, 0);
    const syncsBefore = await syncs(store);
    const gateway = await serviceAddress(kubeconfig, 'shop', 'gateway');
    await store.close();
    state = undefined;

    await baton.stop();
    podsLeftRunning = true;
    expect(baton.child.exitCode).toBe(0);
    expect(baton.output()).toMatch(/pods keep running/);

    baton = startBaton([...upArgs(), '--stop-pods']);
    await baton.waitFor(/baton is up/);
    podsLeftRunning = false;
    state = stateOf(dir);
    const again = state;
    await waitFor('the gateway answering again', async () => Object.keys((await getJson(`http://${gateway}/api/status`)).services).length === 8, { timeoutMs: 120_000, intervalMs: 250, describe: () => baton.output() });
    expect(await pods()).toEqual(before);
    // Several drift checks later nothing was synced again and every app is still Synced and Healthy.
    await sleep(12_000);
    const apps = await again.listApps();
    expect(apps.filter((a) => a.syncStatus !== 'Synced' || a.health !== 'Healthy'), describeApps(apps)).toEqual([]);
    expect(await syncs(again)).toBe(syncsBefore);
    expect(await pods()).toEqual(before);
  });
});
