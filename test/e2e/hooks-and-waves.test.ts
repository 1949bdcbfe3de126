import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';
import { startLocalBaton, type LocalBaton } from './support/local-baton.js';

// Issue 15 point 4: Argo CD's hooks and sync waves, written as Argo CD users write them, through
// `baton up` with process pods. v1: a PreSync migration Job (generateName, HookSucceeded), a web
// Deployment in wave 0 that is ready 3 s after start, a ConfigMap in wave 1, a PostSync smoke Job and
// a SyncFail Job. v2 changes the ConfigMap and breaks the migration: nothing else may be applied.

const yaml = (o: unknown) => `${JSON.stringify(o)}\n`;

function job(meta: Record<string, unknown>, hook: string, script: string, extra: Record<string, string> = {}) {
  return yaml({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { ...meta, annotations: { 'argocd.argoproj.io/hook': hook, ...extra } },
    spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'tools:1', command: [process.execPath, '-e', script] }] } } },
  });
}

/** Answers `/ready` with 503 for the first 3 s. */
const SERVER = `
const started = Date.now();
const server = require('http').createServer((req, res) => res.writeHead(Date.now() - started >= 3000 ? 200 : 503).end())
  .listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const WEB = yaml({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'web', image: 'web:1', command: [process.execPath, '-e', SERVER], ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 } }],
      },
    },
  },
});

const late = (value: string) => yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', annotations: { 'argocd.argoproj.io/sync-wave': '1' } }, data: { value } });

let local: LocalBaton;
const getJson = async (...args: string[]) => JSON.parse(await local.kubectl(...args, '-o', 'json'));

beforeAll(async () => {
  local = await startLocalBaton({
    prefix: 'baton-hooks-',
    files: {
      'baton.yaml': 'apps:\n  - name: db\n    path: apps/db\n    rollout: { progressDeadlineSeconds: 60, autoRollback: true }\n',
      'apps/db/migrate.yaml': job({ generateName: 'migrate-' }, 'PreSync', "console.log('migrated')", { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }),
      'apps/db/web.yaml': WEB,
      'apps/db/late.yaml': late('v1'),
      'apps/db/smoke.yaml': job({ name: 'smoke' }, 'PostSync', "console.log('smoke ok')"),
      'apps/db/on-fail.yaml': job({ name: 'on-fail' }, 'SyncFail', "console.log('sync failed')"),
      'apps/db/README.md': '# db\nMigrations run as a PreSync hook.\n',
    },
  });
}, 240_000);

afterAll(async () => {
  await local?.stop();
}, 120_000);

describe('Argo CD hooks and sync waves', () => {
  it('runs PreSync before anything, waves in order, PostSync after the gate; a failing PreSync hook applies nothing and runs SyncFail', { timeout: 300_000 }, async () => {
    const { state, baton } = local;
    const v1 = await git(local.repo, 'rev-parse', 'HEAD');
    await local.waitApp('db', 'Healthy at v1', (s) => s.revision === v1 && s.syncStatus === 'Synced' && s.health === 'Healthy');

    const out = baton.output();
    const preSync = out.search(/PreSync hook Job db\/migrate-[a-z0-9]{5} Succeeded/);
    expect(preSync, 'the PreSync hook succeeded').toBeGreaterThan(-1);
    expect(out.indexOf(`applying ${v1.slice(0, 7)}`)).toBeGreaterThan(preSync);
    expect(out).toMatch(/PostSync hook Job db\/smoke Succeeded/);

    const jobs = (await getJson('get', 'jobs', '-n', 'db')).items as any[];
    // HookSucceeded deleted the migration; the PostSync Job stays (BeforeHookCreation), as a hook, not as the app's object.
    expect(jobs.map((j) => j.metadata.name)).toEqual(['smoke']);
    expect(jobs[0].metadata.labels).toMatchObject({ 'baton.dev/hook-of': 'db' });
    expect(jobs[0].metadata.labels['baton.dev/app']).toBeUndefined();
    expect(jobs[0].status.conditions.find((c: any) => c.type === 'Complete')?.status).toBe('True');

    // Wave 1 is applied only once wave 0 is healthy: the ConfigMap is younger than the web pod's readiness.
    const pod = ((await getJson('get', 'pods', '-n', 'db', '-l', 'app=web')).items as any[])[0];
    const ready = Date.parse(pod.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
    const cm = await getJson('get', 'configmap', 'late', '-n', 'db');
    expect(Date.parse(cm.metadata.creationTimestamp)).toBeGreaterThanOrEqual(ready);
    expect(Date.parse(cm.metadata.creationTimestamp)).toBeGreaterThan(Date.parse(pod.metadata.creationTimestamp));

    const v2 = await local.commit({
      'apps/db/late.yaml': late('v2'),
      'apps/db/migrate.yaml': job({ generateName: 'migrate-' }, 'PreSync', "console.error('relation \"orders\" already exists'); process.exit(1)", { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' }),
    }, 'db v2: a migration that fails');

    const entry = await waitFor('the sync of v2 to end', async () => (await state.getHistory('db')).find((h) => h.revision === v2), { timeoutMs: 120_000, intervalMs: 250, describe: () => local.describe(40) });
    expect(entry.result).toBe('Failed');
    expect(entry.message).toMatch(/failed before anything was applied: PreSync hook Job db\/migrate-[a-z0-9]{5} failed/);
    expect(entry.message).toContain('relation "orders" already exists');
    expect((await getJson('get', 'configmap', 'late', '-n', 'db')).data).toEqual({ value: 'v1' });
    expect(await state.getApp('db')).toMatchObject({ revision: v1, lastFailedRevision: v2 });
    // The failed migration Job stays for a person to read (HookSucceeded only); SyncFail ran.
    const after = ((await getJson('get', 'jobs', '-n', 'db')).items as any[]).map((j) => j.metadata.name).sort();
    expect(after).toContain('on-fail');
    expect(after.some((n: string) => /^migrate-[a-z0-9]{5}$/.test(n))).toBe(true);
  });
});
