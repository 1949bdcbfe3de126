import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { randomHighPort, randomLoopback } from '../proxy/helpers.js';
import { request } from './helpers.js';
import { waitFor } from '../support/wait.js';

/** Answers every request with its pod's name, on $POD_IP:$PORT as baton's process driver asks. */
const SERVER = `
const http = require('http');
const server = http.createServer((req, res) => res.end(process.env.POD_NAME + ' ' + req.url))
  .listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

let runtime: RunningRuntime;
let stateDir: string;
const namespace = 'shop';

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'baton-ingress-rt-'));
  runtime = await startRuntime({ stateDir, port: 0, node: { defaultRuntimeClass: 'process' } });
});

afterAll(async () => {
  await runtime?.close({ stopPods: true });
  await rm(stateDir, { recursive: true, force: true });
});

it('serves a real pod at http://<name>.localhost through the runtime ingress', async () => {
  const { cluster } = runtime;
  expect(runtime.ingressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await cluster.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'catalog-0', namespace, labels: { app: 'catalog' } },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'web',
          command: [process.execPath, '-e', SERVER],
          env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          ports: [{ name: 'http', containerPort: randomHighPort() }],
          readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1 },
        },
      ],
    },
  });
  await cluster.create(resources.services, {
    apiVersion: 'v1',
    kind: 'Service',
    // A random ClusterIP: the store of every parallel test file would allocate the same first one.
    metadata: { name: 'catalog', namespace },
    spec: { clusterIP: randomLoopback('127.2'), selector: { app: 'catalog' }, ports: [{ name: 'http', port: randomHighPort(), targetPort: 'http' }] },
  });
  await cluster.create(resources.ingresses, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'catalog', namespace },
    spec: { rules: [{ host: 'catalog.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'catalog', port: { name: 'http' } } } }] } }] },
  });
  const port = Number(new URL(runtime.ingressUrl!).port);
  const reply = await waitFor('the pod behind the ingress', async () => {
    const r = await request(port, `catalog.localhost:${port}`, '/items?page=2');
    return r.status === 200 ? r : undefined;
  }, { timeoutMs: 30_000 });
  expect(reply.body).toBe('catalog-0 /items?page=2');
  const ingress = await cluster.get(resources.ingresses, namespace, 'catalog');
  expect(ingress.status.loadBalancer.ingress).toEqual([{ ip: '127.0.0.1' }]);
}, 60_000);
