/**
 * What the ingress costs: the same HTTP server hit directly and through the
 * ingress (Host-header routing, keep-alive upstream pool), loopback only.
 *
 *   npx tsx bench/ingress.ts [--requests 20000] [--concurrency 32]
 *
 * Three processes so no two share an event loop: this one (store, service
 * proxy, ingress), a backend HTTP server and a keep-alive load client.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startIngress } from '../runtime/ingress/index.js';
import { startServiceProxy } from '../runtime/proxy/index.js';
import { resources } from '../runtime/resources/registry.js';
import { openLocalCluster } from '../runtime/store/index.js';

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '32' } } });
const octet = () => 1 + Math.floor(Math.random() * 254);

const BACKEND = `
const http = require('http');
const body = Buffer.from('{"ok":true,"service":"bench"}');
const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
server.keepAliveTimeout = 60000;
server.listen(0, process.argv[1], () => console.log(JSON.stringify({ port: server.address().port })));
`;

const CLIENT = `
const http = require('http');
const [port, address, host, total, concurrency] = [Number(process.argv[1]), process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const times = []; let errors = 0; let sent = 0;
const one = () => new Promise((resolve) => {
  const t = process.hrtime.bigint();
  http.get({ host: address, port, path: '/', agent, headers: { host } }, (res) => {
    res.resume(); res.on('end', () => { if (res.statusCode !== 200) errors++; times.push(Number(process.hrtime.bigint() - t) / 1000); resolve(); });
  }).on('error', () => { errors++; resolve(); });
});
const worker = async () => { while (sent < total) { sent++; await one(); } };
const start = process.hrtime.bigint();
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  times.sort((a, b) => a - b);
  const q = (p) => Math.round(times[Math.min(times.length - 1, Math.floor(times.length * p))]);
  console.log(JSON.stringify({ rps: Math.round(total / seconds), errors, p50: q(0.5), p99: q(0.99) }));
  agent.destroy();
});
`;

function run(script: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
    backendChildren.push(child);
  });
}
const backendChildren: Array<ReturnType<typeof spawn>> = [];

const ip = `127.1.${octet()}.${octet()}`;
const { port: backendPort } = JSON.parse(await run(BACKEND, [ip]));
const cluster = await openLocalCluster();
const logger = pino({ level: 'silent' });
const proxy = await startServiceProxy({ cluster, nodePortHost: `127.3.${octet()}.${octet()}`, logger });
const ingress = await startIngress({ cluster, proxy, port: 0, logger });
try {
  await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await cluster.create(resources.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'bench' },
    spec: { clusterIP: `127.2.${octet()}.${octet()}`, ports: [{ name: 'http', port: 20_000 + octet() * 10, targetPort: backendPort }] },
  });
  await cluster.create(resources.endpoints, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'bench' },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }] }],
  });
  await cluster.create(resources.ingresses, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'bench' },
    spec: { rules: [{ host: 'web.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] },
  });
  for (let i = 0; i < 200 && !(await fetch(`${ingress.url}/`, { headers: { host: 'web.localhost' } }).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 25));

  const load = [args.requests!, args.concurrency!];
  const direct = JSON.parse(await run(CLIENT, [String(backendPort), ip, ip, ...load]));
  const viaIngress = JSON.parse(await run(CLIENT, [String(ingress.port), '127.0.0.1', 'web.localhost', ...load]));
  console.log(`requests ${args.requests}, concurrency ${args.concurrency}, keep-alive client`);
  console.log(`direct      ${direct.rps} req/s  p50 ${direct.p50} µs  p99 ${direct.p99} µs  errors ${direct.errors}`);
  console.log(`via ingress ${viaIngress.rps} req/s  p50 ${viaIngress.p50} µs  p99 ${viaIngress.p99} µs  errors ${viaIngress.errors}`);
} finally {
  await ingress.stop();
  await proxy.stop();
  await cluster.close();
  for (const child of backendChildren) child.kill();
}

