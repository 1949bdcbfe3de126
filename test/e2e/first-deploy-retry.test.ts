import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBaton, type LocalBaton } from './support/local-baton.js';

// A first deploy has nothing to roll back to. When its pods are slower than the progress deadline
// (a busy machine, a cold cache), the gate fails and the revision stays live. Like Flux's
// retryInterval, baton tries that revision again with back-off, and once the pods are ready the
// app is Synced and Healthy without a new commit. (A CI run once left two shop apps Degraded for
// ten minutes this way, and every app depending on them waited.)

/** Answers `/ready` with 503 until READY_AFTER_MS after start, then 200. */
const SERVER = `
const http = require('http');
const started = Date.now();
const server = http.createServer((req, res) => {
  const ready = Date.now() - started >= Number(process.env.READY_AFTER_MS);
  res.writeHead(req.url === '/ready' && !ready ? 503 : 200).end(ready ? 'ready' : 'warming up');
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const DEPLOYMENT = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'slow' },
  spec: {
    replicas: 1,
    progressDeadlineSeconds: 6,
    selector: { matchLabels: { app: 'slow' } },
    template: {
      metadata: { labels: { app: 'slow' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'slow',
            image: 'slow:v1',
            command: [process.execPath, '-e', SERVER],
            env: [{ name: 'READY_AFTER_MS', value: '20000' }],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    },
  },
});

const BATON_YAML = `apps:
  - name: slow
    path: apps/slow
    rollout: { progressDeadlineSeconds: 6, autoRollback: true }
`;

let local: LocalBaton;

beforeAll(async () => {
  // A state dir made beforehand, as a person would with mkdir under umask 022.
  local = await startLocalBaton({ prefix: 'baton-retry-', files: { 'baton.yaml': BATON_YAML, 'apps/slow/deployment.yaml': `${DEPLOYMENT}\n` }, stateDirMode: 0o755 });
}, 240_000);

afterAll(async () => {
  await local?.stop();
}, 120_000);

describe('a first deploy slower than its progress deadline', () => {
  it('fails the gate, stays live, and is retried until it is Synced and Healthy, with no new commit', { timeout: 300_000 }, async () => {
    const { state, baton } = local;
    const failed = await local.waitApp('slow', 'failing its first sync', (s) => s.lastFailedRevision !== undefined && s.revision === s.lastFailedRevision);
    expect(failed.health).toBe('Degraded');
    expect(failed.message).toMatch(/did not become healthy within 6s|exceeded its progress deadline/);

    const healthy = await local.waitApp('slow', 'Synced and Healthy at the same revision', (s) => s.syncStatus === 'Synced' && s.health === 'Healthy');
    expect(healthy.revision).toBe(failed.revision);
    expect(healthy.lastFailedRevision).toBeUndefined();
    expect((await state.getHealthyManifests('slow'))?.revision).toBe(failed.revision);

    const history = (await state.getHistory('slow')).reverse();
    expect(history[0]).toMatchObject({ trigger: 'poll', result: 'Failed', revision: failed.revision });
    expect(history.at(-1)).toMatchObject({ trigger: 'retry', result: 'Succeeded', revision: failed.revision });
    expect(history.every((h) => h.revision === failed.revision)).toBe(true);
    expect(baton.output()).toMatch(/failed once and stayed live \(nothing to roll back to\); trying it again/);
  });

  it('keeps the state dir owner-only although it was made 0755: every file baton, Redis and the kubelet wrote', async () => {
    const { dir } = local;
    const loose: string[] = [];
    const walk = async (path: string): Promise<void> => {
      if (path === join(dir, 'repo')) return;
      // A pod's volume (its projected files, e.g. the ServiceAccount token) keeps the modes its pod spec asks for,
      // 0644 by default as in Kubernetes, so the pod's user can read it; its parent `volumes` is checked.
      const st = await lstat(path);
      if (st.isDirectory() && /\/node\/pods\/[^/]+\/volumes\/[^/]+$/.test(path)) return;
      // A process container's working directory: its pod's user may search it (0711), no one may list it.
      const allowed = st.isDirectory() && /\/node\/pods\/[^/]+\/[^/]+$/.test(path) ? 0o711 : st.isDirectory() ? 0o700 : 0o600;
      if (!st.isSymbolicLink() && !st.isSocket() && (st.mode & 0o777 & ~allowed) !== 0) loose.push(`${(st.mode & 0o777).toString(8)} ${path.slice(dir.length)}`);
      if (st.isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
    };
    await walk(dir);
    expect(loose).toEqual([]);
    // What the walk must have seen for this to mean anything: Redis' data, a pod's log, the runtime store.
    expect(await readdir(join(dir, 'appendonlydir'))).not.toEqual([]);
    expect((await readdir(join(dir, 'node/pods'))).length).toBeGreaterThan(0);
  });
});
