import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import { startKubelet, type Kubelet } from '../../runtime/kubelet/index.js';
import { startServiceProxy, type ServiceProxy } from '../../runtime/proxy/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { get, getPath, randomHighPort, randomLoopback } from './helpers.js';
import { waitFor } from '../support/wait.js';

/**
 * Answers `/` with its pod name, `/slow` the same after 1.5 s; `/ready` fails
 * while NOT_READY_FILE exists. On SIGTERM it finishes requests in flight, then exits.
 */
const SERVER = `
const http = require('http');
const fs = require('fs');
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = fs.existsSync(process.env.NOT_READY_FILE) ? 503 : 200; return res.end(); }
  if (req.url === '/slow') return setTimeout(() => res.end(process.env.NAME), 1500);
  res.end(process.env.NAME);
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

let cluster: LocalCluster;
let controllers: { stop(): Promise<void> };
let kubelet: Kubelet;
let proxy: ServiceProxy;
let stateDir: string;
/** A host directory shared with the pods (their sandbox hides the state dir). */
let shared: string;
const namespace = `proxy-pods-${process.pid}`;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'baton-proxy-pods-'));
  shared = await mkdtemp(join(tmpdir(), 'baton-proxy-shared-'));
  // Pods run as nobody: they must be able to look into it.
  await chmod(shared, 0o755);
  cluster = await openLocalCluster();
  await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  controllers = await startControllers({ cluster, logger: pino({ level: 'silent' }) });
  kubelet = await startKubelet({ cluster, stateDir, resyncMs: 2000 });
  proxy = await startServiceProxy({ cluster, nodePortHost: randomLoopback('127.3'), logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await proxy?.stop();
  if (cluster) {
    const pods = (await cluster.list(resources.pods, { namespace })).items;
    for (const pod of pods) await cluster.delete(resources.pods, namespace, pod.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
    // The kubelet reaps the processes of deleted pods; wait for that before stopping it.
    await waitFor('pods reaped', async () => (await readdir(join(stateDir, 'pods')).catch(() => [])).length === 0, { timeoutMs: 15_000 }).catch(() => undefined);
  }
  await kubelet?.stop();
  await controllers?.stop();
  await cluster?.close();
  await rm(stateDir, { recursive: true, force: true });
  await rm(shared, { recursive: true, force: true });
});

const notReadyFile = (pod: string) => join(shared, `${pod}.not-ready`);

/** Pods named `<app>-<name>` running SERVER, and a Service over them; returns the ClusterIP and port. */
async function deploy(app: string, podNames: string[]): Promise<{ clusterIP: string; port: number }> {
  const containerPort = randomHighPort();
  for (const pod of podNames) {
    await cluster.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${app}-${pod}`, namespace, labels: { app } },
      spec: {
        terminationGracePeriodSeconds: 10,
        volumes: [{ name: 'shared', hostPath: { path: shared, type: 'Directory' } }],
        containers: [
          {
            name: 'web',
            command: [process.execPath, '-e', SERVER],
            env: [
              { name: 'NAME', value: pod },
              { name: 'NOT_READY_FILE', value: notReadyFile(pod) },
            ],
            ports: [{ name: 'http', containerPort }],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            volumeMounts: [{ name: 'shared', mountPath: shared, readOnly: true }],
          },
        ],
      },
    });
  }
  const clusterIP = randomLoopback('127.2');
  const port = randomHighPort();
  await cluster.create(resources.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace },
    spec: { clusterIP, selector: { app }, ports: [{ name: 'http', port, targetPort: 'http' }] },
  });
  return { clusterIP, port };
}

describe('service proxy with real pods, the endpoints controller and the kubelet', () => {
  it('sends traffic to ready pods only, and to a pod again once it is ready again', async () => {
    const app = `web-${Math.floor(Math.random() * 1e6)}`;
    const { clusterIP, port } = await deploy(app, ['a', 'b']);
    const readyEndpoints = (n: number) =>
      waitFor(`${n} ready endpoints`, () => proxy.stats()[`${namespace}/${app}`]?.readyEndpoints[port] === n, { timeoutMs: 30_000 });

    await readyEndpoints(2);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await get(clusterIP, port));
    expect([...seen].sort()).toEqual(['a', 'b']);

    await writeFile(notReadyFile('b'), '');
    await readyEndpoints(1);
    for (let i = 0; i < 50; i++) expect(await get(clusterIP, port)).toBe('a');

    await rm(notReadyFile('b'));
    await readyEndpoints(2);
    seen.clear();
    for (let i = 0; i < 20; i++) seen.add(await get(clusterIP, port));
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('lets a request in flight finish while its pod terminates, and sends nothing new to it', async () => {
    const app = `slow-${Math.floor(Math.random() * 1e6)}`;
    const { clusterIP, port } = await deploy(app, ['c']);
    await waitFor('1 ready endpoint', () => proxy.stats()[`${namespace}/${app}`]?.readyEndpoints[port] === 1, { timeoutMs: 30_000 });

    const inFlight = getPath(clusterIP, port, '/slow');
    await waitFor('request in flight', () => proxy.stats()[`${namespace}/${app}`].activeConnections === 1);
    await cluster.delete(resources.pods, namespace, `${app}-c`);
    await waitFor('pod out of endpoints', () => proxy.stats()[`${namespace}/${app}`].readyEndpoints[port] === 0, { timeoutMs: 30_000 });

    await expect(get(clusterIP, port)).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(await inFlight).toBe('c');
  });
});
