/**
 * What the service proxy costs: the same HTTP server hit directly and through
 * its ClusterIP, side by side in one run, loopback only.
 *
 *   npx tsx bench/service-proxy.ts [--requests 20000] [--concurrency 32]
 *
 * Three processes so no two share an event loop: this one (store + proxy), a
 * backend HTTP server, and a load client measuring each request in microseconds.
 * Two modes: keep-alive (the proxy's per-request cost is one extra hop) and a
 * new connection per request (each one also pays the proxy's upstream dial).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startServiceProxy } from '../runtime/proxy/index.js';
import { resources } from '../runtime/resources/registry.js';
import { openLocalCluster } from '../runtime/store/index.js';

interface ClientResult {
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    host: { type: 'string' },
    port: { type: 'string' },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    'keep-alive': { type: 'string', default: 'true' },
  },
});

const octet = () => 1 + Math.floor(Math.random() * 254);

async function backend(): Promise<void> {
  const ip = `127.1.${octet()}.${octet()}`;
  const body = Buffer.from('{"ok":true,"service":"bench"}');
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, ip, () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ ip, port })}\n`);
  });
  process.on('disconnect', () => process.exit(0));
}

async function client(): Promise<void> {
  const total = Number(args.requests);
  const concurrency = Number(args.concurrency);
  const keepAlive = args['keep-alive'] === 'true';
  // Without keep-alive a pooled agent still reuses a socket for a queued request; no agent means a fresh connection each time.
  const agent = keepAlive ? new http.Agent({ keepAlive, maxSockets: concurrency }) : false;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const headers = keepAlive ? {} : { connection: 'close' };
      const req = http.get({ host: args.host, port: Number(args.port), path: '/', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
    });
  const run = async (count: number, latencies?: Float64Array) => {
    let next = 0;
    let errors = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const start = process.hrtime.bigint();
        try {
          await one();
        } catch {
          errors++;
        }
        if (latencies) latencies[i] = Number(process.hrtime.bigint() - start) / 1000;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return errors;
  };
  await run(Math.min(2000, total));
  const latencies = new Float64Array(total);
  const started = process.hrtime.bigint();
  const errors = await run(total, latencies);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort();
  const at = (q: number) => latencies[Math.min(total - 1, Math.floor(q * total))];
  const result: ClientResult = { requests: total, errors, seconds, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: latencies[total - 1] };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (agent) agent.destroy();
}

function spawnSelf(extra: string[]): ChildProcess {
  // execArgv carries tsx's loader, so the child runs this same TypeScript file.
  return spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...extra], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  let buffered = '';
  for await (const chunk of child.stdout!) {
    buffered += chunk;
    if (buffered.includes('\n')) return buffered.slice(0, buffered.indexOf('\n'));
  }
  throw new Error('child exited without output');
}

async function measure(host: string, port: number, requests: number, keepAlive: boolean): Promise<ClientResult> {
  const child = spawnSelf([
    '--role=client', `--host=${host}`, `--port=${port}`, `--requests=${requests}`,
    `--concurrency=${args.concurrency}`, `--keep-alive=${keepAlive}`,
  ]);
  const line = await firstLine(child);
  await once(child, 'exit');
  return JSON.parse(line) as ClientResult;
}

async function main(): Promise<void> {
  const requests = Number(args.requests);
  const cluster = await openLocalCluster();
  const proxy = await startServiceProxy({ cluster, nodePortHost: '127.0.0.1', logger: pino({ level: 'warn' }) });
  const server = spawnSelf(['--role=backend']);
  try {
    const target = JSON.parse(await firstLine(server)) as { ip: string; port: number };
    const clusterIP = `127.2.${octet()}.${octet()}`;
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    await cluster.create(resources.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench', namespace: 'default' },
      spec: { clusterIP, ports: [{ name: 'http', port, targetPort: target.port }] },
    });
    await cluster.create(resources.endpoints, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'bench', namespace: 'default' },
      subsets: [{ addresses: [{ ip: target.ip }], ports: [{ name: 'http', port: target.port, protocol: 'TCP' }] }],
    });
    for (let i = 0; !proxy.stats()['default/bench']?.readyEndpoints[port]; i++) {
      if (i > 500) throw new Error('the proxy did not pick up the Service');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    console.log(`service proxy benchmark: concurrency ${args.concurrency}, loopback, backend ${target.ip}:${target.port}, ClusterIP ${clusterIP}:${port}\n`);
    const rows: string[][] = [['mode', 'path', 'requests', 'errors', 'req/s', 'p50 µs', 'p90 µs', 'p99 µs', 'max µs']];
    const summary: string[] = [];
    for (const [mode, keepAlive, count] of [['keep-alive', true, requests], ['new conn/request', false, Math.ceil(requests / 4)]] as const) {
      const direct = await measure(target.ip, target.port, count, keepAlive);
      const proxied = await measure(clusterIP, port, count, keepAlive);
      for (const [path, r] of [['direct', direct], ['via proxy', proxied]] as const) {
        rows.push([mode, path, String(r.requests), String(r.errors), (r.requests / r.seconds).toFixed(0), ...[r.p50, r.p90, r.p99, r.max].map((v) => v.toFixed(0))]);
      }
      summary.push(
        `${mode}: proxy adds p50 ${(proxied.p50 - direct.p50).toFixed(0)} µs, p99 ${(proxied.p99 - direct.p99).toFixed(0)} µs; ` +
          `throughput ${((100 * proxied.requests) / proxied.seconds / (direct.requests / direct.seconds)).toFixed(0)}% of direct`,
      );
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    for (const row of rows) console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    console.log(`\n${summary.join('\n')}`);
    const stats = proxy.stats()['default/bench'];
    console.log(`proxy counters: ${stats.connections} connections, ${stats.errors} errors, ${stats.retries} retries`);
  } finally {
    server.kill();
    await proxy.stop();
    await cluster.close();
  }
}

const roles: Record<string, () => Promise<void>> = { main, backend, client };
await roles[args.role!]();
