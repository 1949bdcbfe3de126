import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPodLogs } from '../../controller/edges/api/app-pod-logs.js';
import { clusterTargetFromKubeconfig, type ClusterTarget } from '../../controller/clusters/cluster-target.js';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { rev, startApi, type ApiHarness } from './api-harness.js';
import { waitFor } from '../support/wait.js';

const namespace = `logs-${process.pid}`;
let dir: string;
let runtime: RunningRuntime;
let target: ClusterTarget;
let api: ApiHarness;

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'logger', namespace },
  spec: { selector: { matchLabels: { app: 'logger' } }, template: { metadata: { labels: { app: 'logger' } }, spec: { containers: [{ name: 'main', image: 'logger:1' }] } } },
} as unknown as KubeObject;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-api-logs-'));
  // A real kubelet runs the pod as a process; no controllers: the test makes the pod itself, as the Deployment's ReplicaSet would.
  runtime = await startRuntime({ stateDir: dir, port: 0, controllers: false, proxy: false, ingress: false, node: { defaultRuntimeClass: 'process' } });
  target = clusterTargetFromKubeconfig(runtime.kubeconfigPath, { name: 'local' });
  await runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await runtime.cluster.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'logger-abc12', namespace, labels: { app: 'logger' } },
    spec: {
      containers: [{ name: 'main', image: 'logger:1', command: [process.execPath, '-e', "for (let i = 1; i <= 5; i++) console.log('line ' + i); setInterval(() => {}, 1e9);"] }],
      terminationGracePeriodSeconds: 1,
    },
  } as unknown as KubeObject);
  api = await startApi({ podLogs: (app, options) => appPodLogs({ state: api.state, clusters: { get: () => target } })(app, options) });
});

afterAll(async () => {
  await api?.close();
  if (runtime) {
    await runtime.cluster.delete(resources.pods, namespace, 'logger-abc12', { gracePeriodSeconds: 0 }).catch(() => undefined);
    await waitFor('the pod to be reaped', async () => ((await readdir(join(dir, 'node', 'pods')).catch(() => [])).length === 0 ? true : undefined), { timeoutMs: 15_000 }).catch(() => undefined);
    await runtime.close({ stopPods: true });
  }
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/v1/apps/:name/logs with appPodLogs', () => {
  it("prints the last lines of the app's pods, found through its workloads' selectors", async () => {
    const now = new Date().toISOString();
    await api.state.ensureApp({ name: 'logger', namespace, cluster: 'local' });
    const early = await api.call('GET', '/api/v1/apps/logger/logs');
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/no healthy revision recorded yet/);

    await api.state.recordSync('logger', {
      entry: { revision: rev('a'), digest: 'sha256:a', result: 'Succeeded', startedAt: now, finishedAt: now, durationMs: 1, trigger: 'poll', message: '' },
      status: { revision: rev('a'), syncStatus: 'Synced', health: 'Healthy' },
      healthy: { revision: rev('a'), digest: 'sha256:a', objects: [deployment] },
    });
    const all = await waitFor('the pod to log five lines', async () => {
      const res = await api.call('GET', '/api/v1/apps/logger/logs', { token: api.readonly });
      return res.text.includes('line 5') ? res : undefined;
    }, { timeoutMs: 60_000 });
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(all.text).toBe(`==> ${namespace}/logger-abc12 main <==\nline 1\nline 2\nline 3\nline 4\nline 5\n`);
    const tail = await api.call('GET', '/api/v1/apps/logger/logs?tail=2');
    expect(tail.text).toBe(`==> ${namespace}/logger-abc12 main <==\nline 4\nline 5\n`);
    const other = await api.call('GET', '/api/v1/apps/logger/logs?container=sidecar');
    expect(other.text).toBe('(no container named "sidecar" in the pods of logger)\n');
    const bad = await api.call('GET', '/api/v1/apps/logger/logs?tail=-3');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^query\.tail: /);
  });
});
