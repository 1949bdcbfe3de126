import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPodLogs } from '../../controller/edges/api/app-pod-logs.js';
import { clusterTargetFromKubeconfig, type ClusterTarget } from '../../controller/clusters/cluster-target.js';
import { diagnoseWorkload } from '../../controller/health/diagnose-pods.js';
import { createLogger } from '../../controller/observe/logging/create-logger.js';
import { knownSecrets } from '../../controller/censor/known-secrets.js';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { rev, startApi, type ApiHarness } from './api-harness.js';
import { waitFor } from '../support/wait.js';

// A pod (process driver, real kubelet) prints both API tokens and the runtime's admin token, plainly,
// in base64 and JSON-escaped. Whatever route its output takes (pod logs through the API, the health
// gate's failure message kept in history and events, baton's own log), no token comes out.

const namespace = `censor-${process.pid}`;
let dir: string;
let runtime: RunningRuntime;
let target: ClusterTarget;
let api: ApiHarness;
let quiet: ApiHarness;
let tokens: string[];

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'leaky', namespace },
  spec: { selector: { matchLabels: { app: 'leaky' } }, template: { metadata: { labels: { app: 'leaky' } }, spec: { containers: [{ name: 'main', image: 'leaky:1' }] } } },
} as unknown as KubeObject;

function leakyScript(values: string[]): string {
  const lines = values.flatMap((v) => [`token ${v}`, `b64 ${Buffer.from(v).toString('base64')}`, `json ${JSON.stringify({ auth: v })}`]);
  return `${JSON.stringify(lines)}.forEach((l) => console.log(l)); console.log('done'); setInterval(() => {}, 1e9);`;
}

/** Every form of every token a reader must not find. */
function leaks(text: string): string[] {
  return tokens.flatMap((t) => [t, Buffer.from(t).toString('base64').replace(/=+$/, '')]).filter((form) => text.includes(form));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-censor-'));
  runtime = await startRuntime({ stateDir: dir, port: 0, controllers: false, proxy: false, ingress: false, node: { defaultRuntimeClass: 'process' } });
  // As `baton up` does once its runtime has made its token.
  knownSecrets.addFromStateDir(dir);
  target = clusterTargetFromKubeconfig(runtime.kubeconfigPath, { name: 'local' });
  const podLogs = appPodLogs({ state: { getHealthyManifests: (...args) => api.state.getHealthyManifests(...args) }, clusters: { get: () => target } });
  api = await startApi({ podLogs });
  quiet = await startApi({ podLogs: appPodLogs({ state: { getHealthyManifests: (...args) => quiet.state.getHealthyManifests(...args) }, clusters: { get: () => target } }), readersSeeLogs: false });
  tokens = [api.deploy, api.readonly, quiet.deploy, quiet.readonly, runtime.token];
  await runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await runtime.cluster.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'leaky-abc12', namespace, labels: { app: 'leaky' } },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'leaky:1',
          command: [process.execPath, '-e', leakyScript(tokens)],
          // Never ready, so the health gate's diagnosis quotes its log.
          readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1 },
        },
      ],
      terminationGracePeriodSeconds: 1,
    },
  } as unknown as KubeObject);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await quiet?.close();
  if (runtime) {
    await runtime.cluster.delete(resources.pods, namespace, 'leaky-abc12', { gracePeriodSeconds: 0 }).catch(() => undefined);
    await waitFor('the pod to be reaped', async () => ((await readdir(join(dir, 'node', 'pods')).catch(() => [])).length === 0 ? true : undefined), { timeoutMs: 15_000 }).catch(() => undefined);
    await runtime.close({ stopPods: true });
  }
  await rm(dir, { recursive: true, force: true });
});

async function seed(harness: ApiHarness, message = ''): Promise<void> {
  const now = new Date().toISOString();
  await harness.state.ensureApp({ name: 'leaky', namespace, cluster: 'local' });
  await harness.state.recordSync('leaky', {
    entry: { revision: rev('a'), digest: 'sha256:a', result: message ? 'Failed' : 'Succeeded', startedAt: now, finishedAt: now, durationMs: 1, trigger: 'poll', message },
    status: { revision: rev('a'), syncStatus: 'Synced', health: message ? 'Degraded' : 'Healthy', message },
    healthy: { revision: rev('a'), digest: 'sha256:a', objects: [deployment] },
  });
}

describe('one censor for every secret baton knows', () => {
  it('serves pod logs to deploy and read-only tokens with every token censored', { timeout: 90_000 }, async () => {
    await seed(api);
    for (const token of [api.deploy, api.readonly]) {
      const res = await waitFor('the pod to print its tokens', async () => {
        const r = await api.call('GET', '/api/v1/apps/leaky/logs', { token });
        return r.text.includes('done') ? r : undefined;
      }, { timeoutMs: 60_000 });
      expect(res.status).toBe(200);
      expect(leaks(res.text)).toEqual([]);
      expect(res.text).toContain('token [REDACTED]');
      expect(res.text).toContain('b64 [REDACTED]');
      expect(res.text).toContain('json {"auth":"[REDACTED]"}');
    }
  });

  it('keeps tokens out of the failure message, history, events and baton log', { timeout: 90_000 }, async () => {
    const problems = await waitFor('the pod to be diagnosed with its log', async () => {
      const found = await diagnoseWorkload(target, deployment as never);
      return found.some((p) => p.logTail.includes('done')) ? found : undefined;
    }, { timeoutMs: 60_000 });
    const diagnosis = problems.flatMap((p) => [p.message, ...p.logTail]).join('\n');
    expect(leaks(diagnosis)).toEqual([]);

    // Even a message quoting the raw log (a path that forgot to censor) is censored when kept.
    const raw = String(await target.core.readNamespacedPodLog({ name: 'leaky-abc12', namespace, container: 'main' }));
    expect(leaks(raw).length).toBeGreaterThan(0);
    await seed(api, `rolled back: pod leaky-abc12 is not ready\n${raw}`);
    const detail = await api.call('GET', '/api/v1/apps/leaky', { token: api.readonly });
    const history = await api.call('GET', '/api/v1/apps/leaky/history', { token: api.readonly });
    expect(detail.body.message).toContain('token [REDACTED]');
    for (const res of [detail, history]) expect(leaks(res.text)).toEqual([]);
    const events = await api.state.readEvents();
    expect(events.length).toBeGreaterThan(0);
    expect(leaks(JSON.stringify(events))).toEqual([]);

    const lines: string[] = [];
    for (const pretty of [false, true]) {
      const logger = createLogger({ name: 'baton', pretty, env: {}, destination: { write: (s: string) => void lines.push(s) } });
      logger.warn(raw);
      logger.warn('rolled back: %s', raw);
      logger.error({ err: new Error(raw), output: raw }, 'sync failed');
    }
    expect(lines.length).toBe(6);
    expect(leaks(lines.join('\n'))).toEqual([]);
  });

  it('takes pod logs away from the read-only token with --readers-see-logs=false', { timeout: 90_000 }, async () => {
    await seed(quiet);
    const denied = await quiet.call('GET', '/api/v1/apps/leaky/logs', { token: quiet.readonly });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/not served to the read-only token.*--readers-see-logs=false/);
    const allowed = await quiet.call('GET', '/api/v1/apps/leaky/logs', { token: quiet.deploy });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('token [REDACTED]');
    expect(leaks(allowed.text)).toEqual([]);
  });
});
