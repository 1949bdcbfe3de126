import http from 'node:http';
import net from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { dialEndpoint, startServiceProxy, type ServiceProxy } from '../../runtime/proxy/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { deadAddress, endpointsObject, ensureNamespace, get, randomHighPort, randomLoopback, startBackend, type Backend } from './helpers.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let proxy: ServiceProxy;
const nodePortHost = randomLoopback('127.3');
const namespace = `proxy-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
const backends: Backend[] = [];
let serial = 0;

beforeAll(async () => {
  cluster = await openLocalCluster();
  await ensureNamespace(cluster, namespace);
  proxy = await startServiceProxy({ cluster, nodePortHost, logger: pino({ level: process.env.PROXY_TEST_LOG ?? 'silent' }) });
});

afterAll(async () => {
  await proxy?.stop();
  await cluster?.close();
});

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

async function backendsOf(n: number): Promise<Backend[]> {
  const started = await Promise.all(Array.from({ length: n }, () => startBackend()));
  backends.push(...started);
  return started;
}

interface TestService {
  name: string;
  clusterIP: string;
  port: number;
  object: KubeObject;
}

async function createService(spec: Record<string, unknown> = {}, ports?: unknown[]): Promise<TestService> {
  const name = `web-${++serial}`;
  const port = randomHighPort();
  const object = await cluster.create(resources.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      // Random rather than allocated: parallel test files each have their own store and would all get 127.2.0.1.
      clusterIP: randomLoopback('127.2'),
      ports: ports ?? [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }],
      ...spec,
    },
  });
  return { name, clusterIP: object.spec.clusterIP, port: object.spec.ports[0].port, object };
}

async function setEndpoints(name: string, ready: Array<{ ip: string; port: number }>, notReady: Array<{ ip: string; port: number }> = []) {
  const object = endpointsObject(namespace, name, 'http', ready, notReady);
  try {
    const live = await cluster.get(resources.endpoints, namespace, name);
    await cluster.update(resources.endpoints, { ...object, metadata: { ...object.metadata, resourceVersion: live.metadata.resourceVersion } });
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    await cluster.create(resources.endpoints, object);
  }
}

/** Until the proxy listens for the Service and holds `ready` endpoints for its port. */
function proxyReady(svc: TestService, ready: number) {
  return waitFor(`proxy for ${svc.name} with ${ready} ready endpoints`, () => {
    const stats = proxy.stats()[`${namespace}/${svc.name}`];
    return stats?.listening.includes(`${svc.clusterIP}:${svc.port}`) && stats.readyEndpoints[svc.port] === ready;
  });
}

function tally(bodies: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const body of bodies) counts[body] = (counts[body] ?? 0) + 1;
  return counts;
}

async function sequential(n: number, host: string, port: number, agent: http.Agent | false = false): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < n; i++) bodies.push(await get(host, port, agent));
  return bodies;
}

describe('service proxy', () => {
  it('spreads connections round-robin over the ready endpoints and never to a not-ready one', async () => {
    const [a, b, c, notReady] = await backendsOf(4);
    const svc = await createService();
    await setEndpoints(svc.name, [a, b, c], [notReady]);
    await proxyReady(svc, 3);

    const counts = tally(await sequential(30, svc.clusterIP, svc.port));
    expect(counts).toEqual({ [`${a.ip}:${a.port}`]: 10, [`${b.ip}:${b.port}`]: 10, [`${c.ip}:${c.port}`]: 10 });
    expect(notReady.hits).toBe(0);
  });

  it('stops sending new connections to an endpoint removed from Endpoints, and lets its open connections finish', async () => {
    const [a, b, c] = await backendsOf(3);
    const svc = await createService();
    await setEndpoints(svc.name, [a, b, c]);
    await proxyReady(svc, 3);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(svc.clusterIP, svc.port, agent);
    const leaving = [a, b, c].find((x) => `${x.ip}:${x.port}` === first)!;
    const staying = [a, b, c].filter((x) => x !== leaving);

    await setEndpoints(svc.name, staying);
    await proxyReady(svc, 2);
    const hitsBefore = leaving.hits;
    const counts = tally(await sequential(30, svc.clusterIP, svc.port));
    expect(leaving.hits).toBe(hitsBefore);
    expect(Object.keys(counts).sort()).toEqual(staying.map((x) => `${x.ip}:${x.port}`).sort());

    // The keep-alive connection made before the removal still reaches its endpoint.
    expect(await get(svc.clusterIP, svc.port, agent)).toBe(first);
    agent.destroy();
  });

  it('skips an endpoint that refuses connections: 500 sequential requests, none fails', async () => {
    const [a, b] = await backendsOf(2);
    const dead = await deadAddress();
    const svc = await createService();
    await setEndpoints(svc.name, [a, dead, b]);
    await proxyReady(svc, 3);

    const bodies = await sequential(500, svc.clusterIP, svc.port);
    expect(bodies).toHaveLength(500);
    expect(a.hits + b.hits).toBe(500);
    const stats = proxy.stats()[`${namespace}/${svc.name}`];
    expect(stats.errors).toBe(0);
    // The dead endpoint really was in rotation: connections to it were moved on.
    expect(stats.retries).toBeGreaterThan(0);
  });

  it('carries a keep-alive client over one connection to one endpoint', async () => {
    const [a, b] = await backendsOf(2);
    const svc = await createService();
    await setEndpoints(svc.name, [a, b]);
    await proxyReady(svc, 2);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const bodies = await sequential(50, svc.clusterIP, svc.port, agent);
    agent.destroy();
    expect(new Set(bodies).size).toBe(1);
    expect(a.connections + b.connections).toBe(1);
  });

  it('splices raw TCP both ways: a server that speaks first, and a client that half-closes', async () => {
    const ip = randomLoopback('127.1');
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.write('hello\n');
      let got = '';
      socket.on('data', (chunk) => (got += chunk));
      // Answer only after the client's FIN, so the reply must travel over a half-closed connection.
      socket.on('end', () => socket.end(`echo:${got}`));
    });
    await new Promise<void>((resolve) => server.listen(0, ip, () => resolve()));
    const svc = await createService();
    await setEndpoints(svc.name, [{ ip, port: (server.address() as net.AddressInfo).port }]);
    await proxyReady(svc, 1);

    const reply = await new Promise<string>((resolve, reject) => {
      const client = net.connect({ host: svc.clusterIP, port: svc.port, allowHalfOpen: true });
      let data = '';
      client.on('data', (chunk) => {
        data += chunk;
        if (data === 'hello\n') client.end('ping');
      });
      client.on('end', () => resolve(data));
      client.on('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(reply).toBe('hello\necho:ping');
  });

  it('lends its endpoint picker to an HTTP router, which then balances and skips dead endpoints the same way', async () => {
    const [a, b] = await backendsOf(2);
    const svc = await createService();
    await setEndpoints(svc.name, [a, await deadAddress(), b]);
    await proxyReady(svc, 3);

    const picker = proxy.picker(namespace, svc.name, 'http')!;
    expect(proxy.picker(namespace, svc.name, svc.port)).toBe(picker);
    const viaRouter = () =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          {
            path: '/',
            createConnection: (_options, done) => {
              dialEndpoint(picker).then(({ socket }) => done(null, socket), (error) => done(error, undefined as never));
              return undefined;
            },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
        req.end();
      });
    // All at once: refused attempts interleave, so the split is even only roughly.
    const counts = tally(await Promise.all(Array.from({ length: 20 }, viaRouter)));
    expect(Object.keys(counts).sort()).toEqual([`${a.ip}:${a.port}`, `${b.ip}:${b.port}`].sort());
    expect(Math.min(...Object.values(counts))).toBeGreaterThanOrEqual(5);
  });

  it('resets connections when the Service has no ready endpoint', async () => {
    const [notReady] = await backendsOf(1);
    const svc = await createService();
    await setEndpoints(svc.name, [], [notReady]);
    await proxyReady(svc, 0);

    await expect(get(svc.clusterIP, svc.port)).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(notReady.hits).toBe(0);
  });

  it('listens on the node port of a NodePort Service', async () => {
    const [a] = await backendsOf(1);
    const nodePort = 30000 + Math.floor(Math.random() * 2768);
    const svc = await createService({ type: 'NodePort' }, [{ name: 'http', port: randomHighPort(), nodePort }]);
    await setEndpoints(svc.name, [a]);
    await proxyReady(svc, 1);
    await waitFor('node port listener', () => proxy.stats()[`${namespace}/${svc.name}`].listening.includes(`${nodePortHost}:${nodePort}`));

    expect(await get(nodePortHost, nodePort)).toBe(`${a.ip}:${a.port}`);
  });

  it('stops listening when the Service is deleted', async () => {
    const [a] = await backendsOf(1);
    const svc = await createService();
    await setEndpoints(svc.name, [a]);
    await proxyReady(svc, 1);
    await cluster.delete(resources.services, namespace, svc.name);
    await waitFor('service forgotten', () => !proxy.stats()[`${namespace}/${svc.name}`]);

    await expect(get(svc.clusterIP, svc.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a port held by someone else as a Warning Event on the Service and takes it once free', async () => {
    const [a] = await backendsOf(1);
    const clusterIP = randomLoopback('127.2');
    const port = randomHighPort();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, clusterIP, () => resolve()));

    const svc = await createService({ clusterIP }, [{ name: 'http', port }]);
    await setEndpoints(svc.name, [a]);
    const event = await waitFor('FailedToListen event', async () => {
      const { items } = await cluster.list(resources.events, { namespace });
      return items.find((e: any) => e.involvedObject?.name === svc.name && e.reason === 'FailedToListen');
    });
    expect(event.type).toBe('Warning');
    expect(String(event.message)).toContain(`${clusterIP}:${port}`);

    await new Promise((resolve) => squatter.close(resolve));
    await proxyReady(svc, 1);
    expect(await get(clusterIP, port)).toBe(`${a.ip}:${a.port}`);
  });
});

