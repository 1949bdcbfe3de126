import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngress, type RunningIngress } from '../../runtime/ingress/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startServiceProxy, type ServiceProxy } from '../../runtime/proxy/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { deadAddress, endpointsObject, ensureNamespace, randomHighPort, randomLoopback } from '../proxy/helpers.js';
import { decodeFrame, encodeFrame, request, startBackend, websocketAccept, type Backend } from './helpers.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let proxy: ServiceProxy;
let ingress: RunningIngress;
const namespace = `ingress-${process.pid}-${randomBytes(3).toString('hex')}`;
const backends: Backend[] = [];
const log = pino({ level: process.env.INGRESS_TEST_LOG ?? 'silent' });

beforeAll(async () => {
  cluster = await openLocalCluster();
  await ensureNamespace(cluster, namespace);
  proxy = await startServiceProxy({ cluster, nodePortHost: randomLoopback('127.3'), logger: log });
  ingress = await startIngress({ cluster, proxy, port: 0, logger: log });
});

afterAll(async () => {
  await ingress?.stop();
  await proxy?.stop();
  await cluster?.close();
});

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

async function backend(name: string): Promise<Backend> {
  const b = await startBackend(name, randomLoopback('127.1'));
  backends.push(b);
  return b;
}

/** A Service `name` with one port named `http`, and its Endpoints (ready and not ready). */
async function service(name: string, ready: Array<{ ip: string; port: number }>, notReady: Array<{ ip: string; port: number }> = []): Promise<number> {
  const port = randomHighPort();
  await cluster.create(resources.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { clusterIP: randomLoopback('127.2'), ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }] },
  });
  await cluster.create(resources.endpoints, endpointsObject(namespace, name, 'http', ready, notReady));
  return port;
}

const to = (name: string, port: number | string = 'http') => ({ service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } });

async function applyIngress(name: string, spec: Record<string, unknown>): Promise<void> {
  const object: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace }, spec };
  try {
    const live = await cluster.get(resources.ingresses, namespace, name);
    await cluster.update(resources.ingresses, { ...live, spec });
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
    await cluster.create(resources.ingresses, object);
  }
}

/** The JSON a backend answers `/` with, once the ingress routes `host` + `path` there. */
async function routedTo(host: string, path: string, name: string) {
  return waitFor(`${host}${path} → ${name}`, async () => {
    const reply = await request(ingress.port, host, path);
    return reply.status === 200 && JSON.parse(reply.body).backend === name ? JSON.parse(reply.body) : undefined;
  });
}

describe('routing', () => {
  it('routes by Host header, keeps Host and adds X-Forwarded headers, and publishes the address', async () => {
    const [a, b] = await Promise.all([backend('a'), backend('b')]);
    await service('svc-a', [a]);
    const portB = await service('svc-b', [b]);
    await applyIngress('hosts', {
      rules: [
        { host: 'a.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('svc-a') }] } },
        { host: '*.b.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('svc-b', portB) }] } },
      ],
    });
    const seen = await routedTo('a.localhost:7080', '/x?y=1', 'a');
    expect(seen.url).toBe('/x?y=1');
    expect(seen.headers.host).toBe('a.localhost:7080');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-host']).toBe('a.localhost:7080');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    await routedTo('pr-7.b.localhost', '/', 'b');

    const other = await request(ingress.port, 'c.localhost', '/');
    expect(other.status).toBe(404);
    expect(other.body).toContain('"c.localhost"');
    const cookies = await request(ingress.port, 'a.localhost', '/');
    expect(cookies.headers['set-cookie']).toEqual(['a=1', 'b=2']);

    const live = await waitFor('status address', async () => {
      const ing = await cluster.get(resources.ingresses, namespace, 'hosts');
      return ing.status?.loadBalancer?.ingress ? ing : undefined;
    });
    expect(live.status.loadBalancer.ingress).toEqual([{ ip: '127.0.0.1' }]);
  });

  it('sends each path to its longest match, Exact before Prefix', async () => {
    const [root, api, exact] = await Promise.all([backend('root'), backend('api'), backend('exact')]);
    await service('root', [root]);
    await service('api', [api]);
    await service('exact', [exact]);
    await applyIngress('paths', {
      rules: [
        {
          host: 'paths.localhost',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: to('root') },
              { path: '/api', pathType: 'Prefix', backend: to('api') },
              { path: '/api/exact', pathType: 'Exact', backend: to('exact') },
            ],
          },
        },
      ],
    });
    await routedTo('paths.localhost', '/api/exact', 'exact');
    await routedTo('paths.localhost', '/api/exact/more', 'api');
    await routedTo('paths.localhost', '/api', 'api');
    await routedTo('paths.localhost', '/apix', 'root');
  });

  it('applies a changed Ingress without a restart, and forgets a deleted one', async () => {
    const [one, two] = await Promise.all([backend('one'), backend('two')]);
    await service('one', [one]);
    await service('two', [two]);
    await applyIngress('moving', { rules: [{ host: 'moving.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('one') }] } }] });
    await routedTo('moving.localhost', '/', 'one');
    await applyIngress('moving', { rules: [{ host: 'moving.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('two') }] } }] });
    await routedTo('moving.localhost', '/', 'two');
    await cluster.delete(resources.ingresses, namespace, 'moving');
    await waitFor('404 after delete', async () => (await request(ingress.port, 'moving.localhost', '/')).status === 404);
  });

  it('leaves Ingresses of another class alone', async () => {
    const other = await backend('other');
    await service('other', [other]);
    await applyIngress('nginx-only', { ingressClassName: 'nginx', rules: [{ host: 'nginx.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('other') }] } }] });
    await applyIngress('marker', { ingressClassName: 'baton', rules: [{ host: 'marker.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('other') }] } }] });
    await routedTo('marker.localhost', '/', 'other');
    expect((await request(ingress.port, 'nginx.localhost', '/')).status).toBe(404);
    expect((await cluster.get(resources.ingresses, namespace, 'nginx-only')).status?.loadBalancer?.ingress).toBeUndefined();

    // Moving an Ingress to another class takes it off this ingress, address included.
    await waitFor('marker address', async () => (await cluster.get(resources.ingresses, namespace, 'marker')).status?.loadBalancer?.ingress);
    await applyIngress('marker', { ingressClassName: 'nginx', rules: [{ host: 'marker.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('other') }] } }] });
    await waitFor('marker unserved', async () => (await request(ingress.port, 'marker.localhost', '/')).status === 404);
    await waitFor('marker address withdrawn', async () => !(await cluster.get(resources.ingresses, namespace, 'marker')).status?.loadBalancer?.ingress);
  });
});

describe('endpoints', () => {
  it('answers 503 without ready endpoints and never sends traffic to a not-ready one', async () => {
    const [ready, notReady] = await Promise.all([backend('ready'), backend('not-ready')]);
    await service('half', [ready], [notReady]);
    await service('empty', []);
    await applyIngress('health', {
      rules: [
        { host: 'half.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('half') }] } },
        { host: 'empty.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('empty') }] } },
        { host: 'missing.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('no-such-service') }] } },
      ],
    });
    await routedTo('half.localhost', '/', 'ready');
    for (let i = 0; i < 10; i++) expect(JSON.parse((await request(ingress.port, 'half.localhost', '/')).body).backend).toBe('ready');
    expect(notReady.hits).toBe(0);
    const empty = await request(ingress.port, 'empty.localhost', '/');
    expect(empty.status).toBe(503);
    expect(empty.body).toContain(`"${namespace}/empty"`);
    expect((await request(ingress.port, 'missing.localhost', '/')).status).toBe(503);
  });

  it('moves a request to another endpoint when one refuses, and answers 502 when all do or one hangs up', async () => {
    const live = await backend('live');
    const dead = await deadAddress();
    await service('mixed', [dead, live]);
    await service('dead', [await deadAddress()]);
    await service('rude', [live]);
    await applyIngress('failures', {
      rules: [
        { host: 'mixed.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('mixed') }] } },
        { host: 'dead.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('dead') }] } },
        { host: 'rude.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('rude') }] } },
      ],
    });
    await routedTo('mixed.localhost', '/', 'live');
    for (let i = 0; i < 6; i++) expect((await request(ingress.port, 'mixed.localhost', '/')).status).toBe(200);
    const allDead = await request(ingress.port, 'dead.localhost', '/');
    expect(allDead.status).toBe(502);
    const hangUp = await request(ingress.port, 'rude.localhost', '/hang-up', { method: 'POST', body: 'x' });
    expect(hangUp.status).toBe(502);
  });

  it('keeps upstream connections alive across requests', async () => {
    const pooled = await backend('pooled');
    await service('pooled', [pooled]);
    await applyIngress('pooled', { rules: [{ host: 'pooled.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('pooled') }] } }] });
    await routedTo('pooled.localhost', '/', 'pooled');
    const before = pooled.connections;
    for (let i = 0; i < 10; i++) expect((await request(ingress.port, 'pooled.localhost', '/')).status).toBe(200);
    expect(pooled.connections).toBe(before);
  });
});

describe('streams and upgrades', () => {
  it('streams request and response bodies', async () => {
    const streamer = await backend('streamer');
    await service('streamer', [streamer]);
    await applyIngress('streams', { rules: [{ host: 'streams.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: to('streamer') }] } }] });
    await routedTo('streams.localhost', '/', 'streamer');

    const body = randomBytes(256 * 1024).toString('base64');
    const echoed = await request(ingress.port, 'streams.localhost', '/echo', { method: 'POST', body, headers: { 'transfer-encoding': 'chunked' } });
    expect(echoed.body).toBe(body);

    // The first half arrives before the backend has finished: nothing buffers the whole response.
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: ingress.port, path: '/stream', agent: false, headers: { host: 'streams.localhost' } }, (res) => {
          let got = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            got += chunk;
            if (got === 'first\n') streamer.release();
          });
          res.on('end', () => resolve(got));
        })
        .on('error', reject);
    });
    expect(text).toBe('first\nsecond\n');
  });

  it('passes a WebSocket upgrade through, relays frames both ways, and closes both sides together', async () => {
    const ws = await backend('ws');
    await service('ws', [ws]);
    await applyIngress('ws', { rules: [{ host: 'ws.localhost', http: { paths: [{ path: '/socket', pathType: 'Prefix', backend: to('ws') }] } }] });
    await waitFor('ws route', async () => (await request(ingress.port, 'ws.localhost', '/socket')).status === 200);

    const key = randomBytes(16).toString('base64');
    const { res, socket } = await new Promise<{ res: http.IncomingMessage; socket: net.Socket }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: ingress.port,
        path: '/socket/chat',
        agent: false,
        headers: { host: 'ws.localhost', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
      });
      req.on('upgrade', (upgraded, sock) => resolve({ res: upgraded, socket: sock }));
      req.on('response', (r) => reject(new Error(`no upgrade: HTTP ${r.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    try {
      expect(res.statusCode).toBe(101);
      expect(res.headers['sec-websocket-accept']).toBe(websocketAccept(key));
      const reply = await new Promise<string>((resolve) => {
        let buf = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          const frame = decodeFrame(buf);
          if (frame) resolve(frame.text);
        });
        socket.write(encodeFrame('hello', true));
      });
      expect(reply).toBe('ws: hello');
      expect(ws.openUpgrades()).toBe(1);
    } finally {
      socket.destroy();
    }
    // The client hanging up closes the backend's side too.
    await waitFor('backend socket closed', () => ws.openUpgrades() === 0);
  });
});

describe('default backend', () => {
  it('sends requests no rule matches to the defaultBackend of an Ingress without rules', async () => {
    const fallback = await backend('fallback');
    await service('fallback', [fallback]);
    try {
      await applyIngress('catch-all', { defaultBackend: to('fallback') });
      await routedTo('anything.localhost', '/whatever', 'fallback');
    } finally {
      await cluster.delete(resources.ingresses, namespace, 'catch-all');
    }
  });
});
