import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyApiError } from '../../../../controller/clusters/classify-api-error.js';
import { KeepAliveKubeConfig } from '../../../../controller/clusters/keep-alive-kube-config.js';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '../../../../controller/clusters/kube-client.js';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  socket: number;
}

/** A stand-in API server: ConfigMap discovery, and every other request recorded and answered as the test's `answer` says. */
let server: Server;
let url: string;
const seen: Seen[] = [];
const sockets = new WeakMap<object, number>();
let connections = 0;
let answer: (req: IncomingMessage, body: string) => { status: number; body: Buffer | string; headers?: Record<string, string> };

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url === '/api/v1') {
      res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list', 'patch'] }] }));
      return;
    }
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, socket: sockets.get(req.socket)! });
    const out = answer(req, body);
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  });
  server.on('connection', (socket) => sockets.set(socket, connections++));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

function kubeConfig<T extends KubeConfig>(config: T, server = url): T {
  config.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

/** The generic client as baton makes it (node:http), and as client-node makes it by default (node-fetch). */
const batonClient = (server = url) => KubernetesObjectApi.makeApiClient(kubeConfig(new KeepAliveKubeConfig(), server));
const fetchClient = () => {
  const config = kubeConfig(new KeepAliveKubeConfig());
  return KubeConfig.prototype.makeApiClient.call(config, KubernetesObjectApi) as KubernetesObjectApi;
};

const configMap = (name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', labels: { a: 'b' } }, data: { key: 'value' } }) as KubernetesObject;
const echo = (_req: IncomingMessage, body: string) => ({ status: 200, body: JSON.stringify({ ...JSON.parse(body), metadata: { ...JSON.parse(body).metadata, uid: 'u-1', resourceVersion: '7', creationTimestamp: '2026-01-02T03:04:05Z' } }) });
/** What a request says to the API server: all but how the connection is kept. */
const request = ({ method, url, headers, body }: Seen) => ({ method, url, body, headers: { ...headers, connection: undefined, host: undefined } });

describe('nodeHttpLibrary (the http library of KeepAliveKubeConfig clients)', () => {
  it('sends what client-node sends through node-fetch: method, path and query, headers (bearer token, content type, user agent), body', async () => {
    answer = echo;
    for (const dryRun of ['All', undefined]) {
      seen.length = 0;
      await fetchClient().patch(configMap('a'), undefined, dryRun, 'baton', true, PatchStrategy.ServerSideApply);
      await batonClient().patch(configMap('a'), undefined, dryRun, 'baton', true, PatchStrategy.ServerSideApply);
      expect(seen).toHaveLength(2);
      expect(request(seen[1]!)).toEqual(request(seen[0]!));
      expect(seen[1]).toMatchObject({ method: 'PATCH', url: `/api/v1/namespaces/shop/configmaps/a?${dryRun ? 'dryRun=All&' : ''}fieldManager=baton&force=true` });
      expect(seen[1]!.headers).toMatchObject({ authorization: 'Bearer secret-token', 'content-type': 'application/apply-patch+yaml', 'user-agent': expect.stringMatching(/^node-fetch\//) });
    }
  });

  it('answers as client-node reads it, typed, from plain and gzip bodies, over one kept connection', async () => {
    const objects = batonClient();
    answer = echo;
    seen.length = 0;
    const applied = await objects.patch(configMap('b'), undefined, undefined, 'baton', true, PatchStrategy.ServerSideApply);
    expect(applied.metadata).toMatchObject({ name: 'b', uid: 'u-1', resourceVersion: '7', creationTimestamp: new Date('2026-01-02T03:04:05Z') });
    answer = () => ({ status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: {}, items: [{ metadata: { name: 'c' }, data: { k: 'v'.repeat(5000) } }] })) });
    const list = await objects.list('v1', 'ConfigMap', 'shop');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect((list.items[0] as KubernetesObject & { data: Record<string, string> }).data.k).toHaveLength(5000);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it("throws client-node's ApiException for a refusal, which classifyApiError reads as the object rejected", async () => {
    answer = () => ({ status: 422, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', message: 'ConfigMap "bad" is invalid: data[a b]: Invalid value', code: 422 }) });
    const err = await batonClient().patch(configMap('bad'), undefined, 'All', 'baton', true, PatchStrategy.ServerSideApply).catch((e: unknown) => e);
    const classified = classifyApiError(err, 'local', { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'bad' }, 'dry-run');
    expect(classified).toMatchObject({ name: 'ObjectRejectedError', data: { status: 422, reason: 'Invalid' } });
    expect((classified as Error).message).toContain('data[a b]: Invalid value');
  });

  it('a cluster that does not answer is unreachable (retried), as it was through node-fetch', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const err = await batonClient(`http://127.0.0.1:${port}`).list('v1', 'ConfigMap', 'shop').catch((e: unknown) => e);
    expect(classifyApiError(err, 'local', { kind: 'ConfigMap', name: '' }, 'list')).toMatchObject({ name: 'ClusterRequestError', code: 'UNREACHABLE' });
  });
});
