import http from 'node:http';
import net from 'node:net';
import type { Cluster } from '../../runtime/objects/cluster.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';

/** A random address in `prefix`.0.0/16, so parallel tests rarely share one. */
export function randomLoopback(prefix: '127.1' | '127.2' | '127.3'): string {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  return `${prefix}.${octet()}.${octet()}`;
}

export function randomHighPort(): number {
  return 20_000 + Math.floor(Math.random() * 10_000);
}

export interface Backend {
  ip: string;
  port: number;
  /** Requests served, by this backend only. */
  hits: number;
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/** An HTTP server on its own pod-like loopback address; answers with its `ip:port`. */
export async function startBackend(ip = randomLoopback('127.1')): Promise<Backend> {
  const server = http.createServer((req, res) => {
    backend.hits++;
    req.resume();
    res.end(`${ip}:${backend.port}`);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => backend.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, () => resolve());
  });
  const backend: Backend = {
    ip,
    port: (server.address() as net.AddressInfo).port,
    hits: 0,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return backend;
}

/** An address where nothing listens: a port that was just free, on a fresh address. */
export async function deadAddress(): Promise<{ ip: string; port: number }> {
  const ip = randomLoopback('127.1');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, ip, () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return { ip, port };
}

export function get(host: string, port: number, agent: http.Agent | false = false): Promise<string> {
  return getPath(host, port, '/', agent);
}

export function getPath(host: string, port: number, path: string, agent: http.Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

export async function ensureNamespace(cluster: Cluster, name: string): Promise<void> {
  try {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

export function endpointsObject(namespace: string, name: string, portName: string, ready: Array<{ ip: string; port: number }>, notReady: Array<{ ip: string; port: number }> = []): KubeObject {
  // One subset per distinct port, as the Endpoints controller groups addresses.
  const byPort = new Map<number, { addresses: Array<{ ip: string }>; notReadyAddresses: Array<{ ip: string }> }>();
  const subset = (port: number) => {
    if (!byPort.has(port)) byPort.set(port, { addresses: [], notReadyAddresses: [] });
    return byPort.get(port)!;
  };
  for (const e of ready) subset(e.port).addresses.push({ ip: e.ip });
  for (const e of notReady) subset(e.port).notReadyAddresses.push({ ip: e.ip });
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace },
    subsets: [...byPort].map(([port, s]) => ({
      ...(s.addresses.length ? { addresses: s.addresses } : {}),
      ...(s.notReadyAddresses.length ? { notReadyAddresses: s.notReadyAddresses } : {}),
      ports: [{ name: portName, port, protocol: 'TCP' }],
    })),
  };
}
