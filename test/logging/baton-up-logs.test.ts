import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { describeApps, startBaton, stateOf, type BatonProcess } from '../e2e/support/baton-process.js';
import { parseExposition, sampleValue, type Family } from '../metrics/parse-exposition.js';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';

// A real `baton up` syncs an app with a Secret whose pod prints the Secret's value, then a broken
// revision (a new value, readiness failing) that the health gate rolls back, quoting the pod's
// last log lines. baton's own logs (JSON lines) must never contain either value; /metrics parses
// strictly and moves with each step.

const FIRST = `first-${randomUUID()}`;
const SECOND = `second-${randomUUID()}`;

/** Prints its password at start (as careless apps do); `/ready` fails while BROKEN is set. */
const SERVER = `
const http = require('http');
console.log('starting with password=' + process.env.PASSWORD);
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  res.end('ok');
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function manifests(password: string, broken: boolean): string {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', stringData: { password } };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'vault' },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 8,
      selector: { matchLabels: { app: 'vault' } },
      template: {
        metadata: { labels: { app: 'vault' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'vault',
              image: 'vault:1',
              command: [process.execPath, '-e', SERVER],
              env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, ...(broken ? [{ name: 'BROKEN', value: '1' }] : [])],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    },
  };
  return `${JSON.stringify(secret)}\n---\n${JSON.stringify(deployment)}\n`;
}

let dir: string;
let repo: string;
let baton: BatonProcess;
let state: StateStore;
let metricsUrl: string;

const tail = () => baton.output().split('\n').slice(-30).join('\n');

async function scrape(): Promise<Map<string, Family>> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-logs-');
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'apps/vault'), { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await writeFile(join(repo, 'baton.yaml'), 'apps:\n  - name: vault\n    path: apps/vault\n    rollout: { progressDeadlineSeconds: 30 }\n');
  await writeFile(join(repo, 'apps/vault/vault.yaml'), manifests(FIRST, false));
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'vault');
  baton = startBaton(['up', '--default-runtime-class', 'process', '--repo', repo, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods']);
  metricsUrl = (await baton.waitFor(/API:\s+(http\S+)/)).replace(/\/api\/v1$/, '/metrics');
  state = stateOf(dir);
}, 240_000);

afterAll(async () => {
  await state?.close();
  await baton?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('baton up: logs, metrics and the queue view', () => {
  it('syncs, rolls back a revision that prints its Secret, and neither value reaches a log line; /metrics moves with each step', { timeout: 600_000 }, async () => {
    await waitFor('vault Synced and Healthy', async () => {
      const app = await state.getApp('vault');
      return app?.syncStatus === 'Synced' && app.health === 'Healthy';
    }, { timeoutMs: 240_000, intervalMs: 250, describe: tail });
    const first = await scrape();
    expect(sampleValue(first, 'baton_app_sync_total', { name: 'vault', phase: 'Succeeded' })).toBe(1);
    expect(sampleValue(first, 'baton_app_info', { name: 'vault', health_status: 'Healthy', sync_status: 'Synced' })).toBe(1);
    expect(sampleValue(first, 'baton_runtime_pods', { namespace: 'vault', phase: 'Running' })).toBe(1);
    expect(sampleValue(first, 'baton_queue_wait_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(first, 'baton_app_rollback_total', { name: 'vault' })).toBeUndefined();

    await writeFile(join(repo, 'apps/vault/vault.yaml'), manifests(SECOND, true));
    await git(repo, 'commit', '-qam', 'vault: new password, readiness broken');
    const broken = await git(repo, 'rev-parse', 'HEAD');
    const app = await waitFor('the broken revision rolled back', async () => {
      const a = await state.getApp('vault');
      return a?.lastFailedRevision === broken && a.message.includes('rolled back') && a;
    }, { timeoutMs: 240_000, intervalMs: 250, describe: async () => `${describeApps(await state.listApps())}\n${tail()}` });

    // The health gate quoted the pod's log, with the value censored: in the app's message (API, dashboard)…
    expect(app.message).toContain('starting with password=[REDACTED]');
    expect(app.message).not.toContain(SECOND);

    const after = await scrape();
    expect(sampleValue(after, 'baton_app_sync_total', { name: 'vault', phase: 'RolledBack' })).toBe(1);
    expect(sampleValue(after, 'baton_app_rollback_total', { name: 'vault', reason: 'auto' })).toBe(1);
    expect(sampleValue(after, 'baton_app_sync_duration_seconds_count', { name: 'vault', phase: 'RolledBack' })).toBe(1);
    expect(sampleValue(after, 'baton_runtime_probe_failures_total', { namespace: 'vault', probe: 'readiness' })).toBeGreaterThan(0);
    expect(sampleValue(after, 'baton_app_info', { name: 'vault', health_status: 'Degraded' })).toBe(1);

    // …and in baton's own log: JSON lines (stdout is a pipe here) about the app, with its job and revision.
    const output = baton.output();
    for (const value of [FIRST, SECOND]) {
      for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64').replace(/=+$/, '')]) expect(output).not.toContain(form);
    }
    const records = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const about = records.filter((r) => r.app === 'vault');
    expect(about.find((r) => r.msg === 'sync started' && r.revision === broken && typeof r.jobId === 'string')).toBeDefined();
    const rollback = about.find((r) => r.event === 'rollback' && r.revision === broken);
    expect(rollback?.msg, tail()).toContain('[REDACTED]');
    expect(records.every((r) => typeof r.time === 'number' && typeof r.level === 'number' && r.name === 'baton')).toBe(true);
    // The banner stays plain text for people and scripts.
    expect(output).toMatch(/^baton is up$/m);
  });

  it('serves the sync queue at /admin/queues to the deploy token only', { timeout: 60_000 }, async () => {
    const base = metricsUrl.replace(/\/metrics$/, '');
    const deploy = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const readonly = (await readFile(join(dir, 'api-token-readonly'), 'utf8')).trim();
    expect((await fetch(`${base}/admin/queues`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${readonly}` } })).status).toBe(403);
    const visit = await fetch(`${base}/admin/queues?token=${encodeURIComponent(deploy)}`, { redirect: 'manual' });
    expect(visit.status).toBe(303);
    const cookie = (visit.headers.get('set-cookie') ?? '').split(';')[0];
    const queues = await fetch(`${base}/admin/queues/api/queues`, { headers: { cookie } });
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    expect(body.queues.find((q) => q.name === 'sync')?.counts.completed).toBeGreaterThanOrEqual(2);
  });
});
