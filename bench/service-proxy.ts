/**
 * What carrying Services costs: the same HTTP server hit directly, through a
 * ClusterIP in the kernel (nftables DNAT, the runtime's default with root)
 * and through the userspace proxy, side by side in one run, with 1 and with
 * 1,000 endpoints. Needs root, ip and nft; every packet stays on baton's bridge.
 *
 *   npx tsx bench/service-proxy.ts [--requests 20000] [--concurrency 32] [--endpoints 1000]
 *
 * The backend is a node HTTP server in a pod network namespace of its own,
 * holding every endpoint address (one listener answers them all); the load
 * client is a third process measuring each request in microseconds. Two
 * modes: keep-alive (per-request cost) and a new connection per request
 * (each one also pays the translation or the proxy's upstream dial). The
 * cluster DNS lookup time is printed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startPodNetwork } from '../runtime/network/index.js';
import { runCommand } from '../runtime/network/run-command.js';
import { startKernelServiceProxy, startServiceProxy } from '../runtime/proxy/index.js';
import { resources } from '../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../runtime/store/index.js';

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
    endpoints: { type: 'string', default: '1000' },
  },
});

const POD_CIDR = '10.252.0.0/21';
const SERVICE_CIDR = '10.253.0.0/24';
const BACKEND_PORT = 8080;

async function backend(): Promise<void> {
  const body = Buffer.from('{"ok":true,"service":"bench"}');
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(BACKEND_PORT, '0.0.0.0', () => process.stdout.write('listening\n'));
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

function spawnSelf(extra: string[], netns?: string): ChildProcess {
  // execArgv carries tsx's loader, so the child runs this same TypeScript file.
  const command = [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...extra];
  const [file, ...rest] = netns ? ['ip', 'netns', 'exec', netns, ...command] : command;
  return spawn(file, rest, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
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

/** A Service without selector and its Endpoints, in `cluster`. */
async function addService(cluster: LocalCluster, name: string, endpointIps: string[], clusterIP?: string): Promise<string> {
  const service = await cluster.create(resources.services, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' },
    spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ name: 'http', port: 80, targetPort: BACKEND_PORT }] },
  });
  await cluster.create(resources.endpoints, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' },
    subsets: [{ addresses: endpointIps.map((ip) => ({ ip })), ports: [{ name: 'http', port: BACKEND_PORT, protocol: 'TCP' }] }],
  });
  return service.spec!.clusterIP as string;
}

async function dnsLookups(kernel: LocalCluster): Promise<string> {
  // Cluster DNS is an optional part of this bench: it prints the lookup time when the module is there.
  const dns = (await import('../runtime/dns/index.js').catch(() => undefined)) as any;
  if (!dns?.startClusterDns) return 'cluster DNS: not built';
  const server = await dns.startClusterDns({ cluster: kernel, host: '127.0.0.1', port: 0, upstreams: [], logger: pino({ level: 'warn' }) });
  try {
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    await new Promise((r) => setTimeout(r, 200));
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const start = process.hrtime.bigint();
      await resolver.resolve4('one.default.svc.cluster.local');
      times.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    times.sort((a, b) => a - b);
    return `cluster DNS: 2000 A lookups of one.default.svc.cluster.local, p50 ${times[1000].toFixed(0)} µs, p99 ${times[1980].toFixed(0)} µs`;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const requests = Number(args.requests);
  const endpointCount = Number(args.endpoints);
  const stateDir = await mkdtemp(join(tmpdir(), 'baton-bench-services-'));
  const network = await startPodNetwork({ stateDir, podCidr: POD_CIDR, serviceCidr: SERVICE_CIDR });
  const kernelStore = await openLocalCluster();
  kernelStore.useServiceRange(SERVICE_CIDR);
  const userspaceStore = await openLocalCluster();
  const logger = pino({ level: 'warn' });
  const kernel = await startKernelServiceProxy({ cluster: kernelStore, network, logger });
  const userspace = await startServiceProxy({ cluster: userspaceStore, nodePortHost: '127.0.0.1', logger });
  let server: ChildProcess | undefined;
  try {
    const sandbox = await network.setup('bench-backend');
    const netns = sandbox.netnsPath.split('/').pop()!;
    // The other endpoints are more addresses of the same pod: from 10.252.4.1 up, clear of the allocator's low addresses.
    const extra = Array.from({ length: endpointCount - 1 }, (_, i) => `10.252.${4 + Math.floor((i + 1) / 250)}.${1 + ((i + 1) % 250)}`);
    if (extra.length) await runCommand('ip', ['-n', netns, '-batch', '-'], extra.map((ip) => `addr add ${ip}/21 dev eth0\n`).join(''));
    const all = [sandbox.ip, ...extra];
    server = spawnSelf(['--role=backend'], netns);
    await firstLine(server);

    const kernelOne = await addService(kernelStore, 'one', [sandbox.ip]);
    const kernelAll = await addService(kernelStore, 'all', all);
    const userOne = await addService(userspaceStore, 'one', [sandbox.ip], '127.2.77.1');
    const userAll = await addService(userspaceStore, 'all', all, '127.2.77.2');
    await kernel.settled();
    for (let i = 0; !userspace.stats()['default/all']?.readyEndpoints[80]; i++) {
      if (i > 500) throw new Error('the userspace proxy did not pick up the Services');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    console.log(`service benchmark: concurrency ${args.concurrency}, backend ${sandbox.ip}:${BACKEND_PORT} in its own network namespace on baton's bridge\n`);
    const paths: Array<[string, string, number]> = [
      ['direct', sandbox.ip, BACKEND_PORT],
      ['kernel, 1 endpoint', kernelOne, 80],
      [`kernel, ${endpointCount} endpoints`, kernelAll, 80],
      ['userspace, 1 endpoint', userOne, 80],
      [`userspace, ${endpointCount} endpoints`, userAll, 80],
    ];
    // The backend's JIT warms up on its first requests; without this the first path measured (direct) pays for it.
    await measure(sandbox.ip, BACKEND_PORT, requests, true);
    const rows: string[][] = [['mode', 'path', 'requests', 'errors', 'req/s', 'p50 µs', 'p90 µs', 'p99 µs', 'max µs']];
    const summary: string[] = [];
    for (const [mode, keepAlive, count] of [['keep-alive', true, requests], ['new conn/request', false, Math.ceil(requests / 4)]] as const) {
      let direct: ClientResult | undefined;
      for (const [path, host, port] of paths) {
        const r = await measure(host, port, count, keepAlive);
        direct ??= r;
        rows.push([mode, path, String(r.requests), String(r.errors), (r.requests / r.seconds).toFixed(0), ...[r.p50, r.p90, r.p99, r.max].map((v) => v.toFixed(0))]);
        if (r === direct) continue;
        summary.push(
          `${mode}, ${path}: adds p50 ${(r.p50 - direct.p50).toFixed(0)} µs, p99 ${(r.p99 - direct.p99).toFixed(0)} µs; ` +
            `throughput ${((100 * r.requests) / r.seconds / (direct.requests / direct.seconds)).toFixed(0)}% of direct`,
        );
      }
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    for (const row of rows) console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    console.log(`\n${summary.join('\n')}`);
    console.log(`\n${await dnsLookups(kernelStore)}`);
  } finally {
    server?.kill();
    await kernel.stop();
    await userspace.stop();
    await kernelStore.close();
    await userspaceStore.close();
    await network.destroy();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const roles: Record<string, () => Promise<void>> = { main, backend, client };
await roles[args.role!]();
