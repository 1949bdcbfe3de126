import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import { startKubelet, type Kubelet } from '../../runtime/kubelet/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { waitFor } from '../support/wait.js';

/** Ready unless BROKEN is set: version 2 of the app never passes its readiness probe. */
const SERVER = `
const http = require('http');
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  res.end('ok');
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const run = promisify(execFile);
const namespace = `rollout-${process.pid}`;
let dir: string;
let runtime: RunningRuntime;
let controllers: { stop(): Promise<void> };
let kubelet: Kubelet;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['-n', namespace, ...args], { env: { ...process.env, KUBECONFIG: runtime.kubeconfigPath }, timeout: 90_000 });
  return stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-rollout-pods-'));
  // Our own controllers, so cleanup can stop them before deleting pods.
  runtime = await startRuntime({ stateDir: dir, port: 0, controllers: false, kubelet: false, proxy: false });
  await runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  controllers = await startControllers({ cluster: runtime.cluster, logger: pino({ level: 'silent' }) });
  kubelet = await startKubelet({ cluster: runtime.cluster, stateDir: join(dir, 'kubelet'), resyncMs: 2000 });
});

afterAll(async () => {
  // Controllers first, or the ReplicaSet would replace the pods deleted below.
  await controllers?.stop();
  if (runtime) {
    const pods = (await runtime.cluster.list(resources.pods, { namespace })).items;
    for (const pod of pods) await runtime.cluster.delete(resources.pods, namespace, pod.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
    await waitFor('pods reaped', async () => (await readdir(join(dir, 'kubelet', 'pods')).catch(() => [])).length === 0, { timeoutMs: 15_000 }).catch(() => undefined);
  }
  await kubelet?.stop();
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rollouts with real pods', () => {
  it('a release whose pods never get ready exceeds its deadline with the old pods still serving; undo recovers', async () => {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const manifest = join(dir, 'app.yaml');
    await writeFile(
      manifest,
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'app', namespace },
        spec: {
          replicas: 2,
          progressDeadlineSeconds: 4,
          strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          selector: { matchLabels: { app: 'app' } },
          template: {
            metadata: { labels: { app: 'app' } },
            spec: {
              terminationGracePeriodSeconds: 5,
              containers: [
                {
                  name: 'web',
                  image: 'app:1',
                  command: [process.execPath, '-e', SERVER],
                  ports: [{ name: 'http', containerPort: port }],
                  readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1 },
                },
              ],
            },
          },
        },
      }),
    );
    await kubectl('apply', '-f', manifest);
    expect(await kubectl('rollout', 'status', 'deployment/app', '--timeout=60s')).toContain('successfully rolled out');

    await kubectl('set', 'env', 'deployment/app', 'BROKEN=1');
    const failed = await kubectl('rollout', 'status', 'deployment/app', '--timeout=60s').then(
      () => 'rolled out',
      (err) => String(err.stderr),
    );
    expect(failed).toContain('deployment "app" exceeded its progress deadline');
    const status = JSON.parse(await kubectl('get', 'deployment/app', '-o', 'json')).status;
    expect(status).toMatchObject({ replicas: 3, updatedReplicas: 1, availableReplicas: 2, unavailableReplicas: 1 });

    await kubectl('rollout', 'undo', 'deployment/app');
    expect(await kubectl('rollout', 'status', 'deployment/app', '--timeout=60s')).toContain('successfully rolled out');
    const pods = JSON.parse(await kubectl('get', 'pods', '-l', 'app=app', '-o', 'json')).items.filter((p: any) => !p.metadata.deletionTimestamp);
    expect(pods).toHaveLength(2);
    expect(pods.every((p: any) => !p.spec.containers[0].env?.some((e: any) => e.name === 'BROKEN'))).toBe(true);
  });
});
