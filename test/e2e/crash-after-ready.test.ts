import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../support/git-http-server.js';
import { sleep, waitFor } from '../support/wait.js';
import { serviceAddress } from './support/baton-process.js';
import { startLocalBaton, type LocalBaton } from './support/local-baton.js';

// Issue 15 point 8: a revision whose pods become ready and exit a few seconds later must not pass
// the health gate. `baton up` from a local repository with process pods: v1 is healthy; v2 serves,
// then exits 3 s after it started; the sync must roll back to v1 and never record v2 healthy.

/** Serves VERSION on `/` and answers `/ready`; exits with code 3 EXIT_AFTER_MS after it started, when set. */
const SERVER = `
const http = require('http');
const server = http.createServer((req, res) => res.end(req.url === '/ready' ? 'ok' : process.env.VERSION))
  .listen(Number(process.env.PORT), process.env.POD_IP);
if (process.env.EXIT_AFTER_MS) setTimeout(() => { console.error('fatal: lost the connection to the cache'); process.exit(3); }, Number(process.env.EXIT_AFTER_MS));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function deployment(version: string, exitAfterMs?: number): string {
  const env = [{ name: 'VERSION', value: version }, ...(exitAfterMs ? [{ name: 'EXIT_AFTER_MS', value: String(exitAfterMs) }] : [])];
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      // Both new pods start at once and the old ones go as soon as they are ready: the rollout is
      // complete, by `kubectl rollout status` rules, well before the new pods exit.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 2,
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

// Runtimes of tests running in parallel hand out ClusterIPs from the same first addresses: ask for one of our own.
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
    rollout: { progressDeadlineSeconds: 40, autoRollback: true }
`;

let local: LocalBaton;

async function release(version: string, exitAfterMs?: number): Promise<string> {
  return local.commit({ 'apps/web/deployment.yaml': `${deployment(version, exitAfterMs)}\n` }, `web ${version}`);
}

async function answer(address: string): Promise<string> {
  const res = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(5000) });
  return res.ok ? res.text() : `HTTP ${res.status}`;
}

beforeAll(async () => {
  local = await startLocalBaton({
    prefix: 'baton-crash-',
    files: { 'baton.yaml': BATON_YAML, 'apps/web/service.yaml': `${SERVICE}\n`, 'apps/web/deployment.yaml': `${deployment('v1')}\n` },
  });
}, 240_000);

afterAll(async () => {
  await local?.stop();
}, 120_000);

describe('the health gate and pods that exit after becoming ready', () => {
  it('rolls a revision whose pods exit 3 s after start back, never records it healthy, and leaves the app Degraded saying why', { timeout: 300_000 }, async () => {
    const { state } = local;
    const v1 = await git(local.repo, 'rev-parse', 'HEAD');
    await local.waitApp('web', 'Healthy at v1', (s) => s.revision === v1 && s.health === 'Healthy');
    const address = await serviceAddress(local.kubeconfig, 'web', 'web');
    expect(await answer(address)).toBe('v1');

    const v2 = await release('v2', 3000);
    const outcome = await waitFor('the sync of v2 to end', async () => {
      // Without a soak, the gate passes v2 within a second or two: stop at once rather than at the timeout.
      const passed = (await state.getHistory('web')).find((h) => h.revision === v2 && h.result === 'Succeeded');
      if (passed) return { passed };
      const s = await state.getApp('web');
      return s?.lastFailedRevision === v2 && { app: s };
    }, { timeoutMs: 120_000, intervalMs: 250, describe: () => local.describe() });
    expect(outcome.passed, 'v2 recorded healthy').toBeUndefined();
    const app = outcome.app!;

    expect(app.revision).toBe(v1);
    expect(app.health).toBe('Degraded');
    expect(app.message).toMatch(/failed and was rolled back to [0-9a-f]{7}/);
    expect(app.message).toMatch(/Deployment web\/web rolled out, but its new pods did not stay ready for 5s: pod web-[a-z0-9]+-[a-z0-9]+ (stopped being ready|restarted container web)/);
    expect(app.message).toMatch(/exit code 3/);
    expect(app.message).toContain('fatal: lost the connection to the cache');

    const history = await state.getHistory('web');
    expect(history.filter((h) => h.revision === v2).map((h) => h.result)).toEqual(['RolledBack']);
    expect((await state.getHealthyManifests('web'))?.revision).toBe(v1);

    // v1's pods serve again, and stay up; the app stays Degraded with the reason until a new commit.
    expect(await answer(address)).toBe('v1');
    await sleep(5000);
    expect(await answer(address)).toBe('v1');
    const pods = JSON.parse(await local.kubectl('get', 'pods', '-n', 'web', '-l', 'app=web', '-o', 'json')) as { items: any[] };
    const serving = pods.items.filter((p) => !p.metadata.deletionTimestamp);
    expect(serving.map((p) => p.spec.containers[0].env.find((e: { name: string }) => e.name === 'VERSION').value)).toEqual(['v1', 'v1']);
    expect(serving.every((p) => p.status.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
    const after = await state.getApp('web');
    expect(after).toMatchObject({ revision: v1, health: 'Degraded', lastFailedRevision: v2 });
    expect(after!.message).toBe(app.message);
  });

  it('turns an app whose pods crash after the gate Degraded, saying why, instead of leaving it Healthy', { timeout: 300_000 }, async () => {
    // v3 stays ready well past the gate's 5 s, then exits: the gate passes it (it was stable while watched),
    // and the periodic health check is what must notice the crash loop and say so on the app.
    const { state } = local;
    const v3 = await release('v3', 20_000);
    await waitFor('v3 to pass the gate', async () => (await state.getHistory('web')).some((h) => h.revision === v3 && h.result === 'Succeeded'), {
      timeoutMs: 120_000,
      intervalMs: 250,
      describe: () => local.describe(),
    });
    const degraded = await waitFor('web Degraded after v3 crashes', async () => {
      const s = await state.getApp('web');
      return s?.revision === v3 && s.health === 'Degraded' && s;
    }, { timeoutMs: 120_000, intervalMs: 500, describe: () => local.describe() });
    expect(degraded.syncStatus).toBe('Synced');
    expect(degraded.message).toMatch(/Deployment web\/web/);
    expect(degraded.message).toMatch(/crash-looping|exit code 3|restarted/);
  });
});
