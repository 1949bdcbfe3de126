/**
 * Requests per second of the runtime's Kubernetes API over HTTPS with 16
 * keep-alive connections: create, get and list of 10,000 ConfigMaps, then the
 * store's size on disk. Run with `npx tsx bench/runtime-api.ts [count]`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const COUNT = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = 16;
const LISTS = 20;

async function startRuntime(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'controller/edges/cli/main.ts'), 'runtime', '--state-dir', dir, '--port', '0', '--default-runtime-class', 'process'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Kubernetes API at (\S+)/.exec(out);
      if (m && out.includes('kubeconfig:')) done(m[1]);
    });
    child.once('exit', (code) => fail(new Error(`runtime exited with ${code}`)));
  });
  return { child, url };
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? await dirSize(p) : (await stat(p)).size;
  }
  return total;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-bench-'));
  const { child, url } = await startRuntime(dir);
  const token = (await readFile(join(dir, 'runtime-token'), 'utf8')).trim();
  const ca = await readFile(join(dir, 'runtime-tls.crt'), 'utf8');
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
  const call = (method: string, path: string, body?: string) =>
    new Promise<number>((done, fail) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      const req = request(new URL(path, url), { method, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode! < 300 ? done(res.statusCode!) : fail(new Error(`${method} ${path}: ${res.statusCode}`))));
      });
      req.on('error', fail);
      req.end(body);
    });
  const run = async (label: string, total: number, one: (i: number) => Promise<unknown>) => {
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < total) await one(next++);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`${label.padEnd(34)} ${String(total).padStart(6)} requests  ${(total / seconds).toFixed(0).padStart(7)} req/s  (${seconds.toFixed(2)} s)`);
  };
  const path = '/api/v1/namespaces/default/configmaps';
  try {
    console.log(`baton runtime API benchmark: ${COUNT} ConfigMaps, ${CONCURRENCY} keep-alive HTTPS connections`);
    await run('create (POST)', COUNT, (i) =>
      call('POST', path, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { shard: String(i % 100) } }, data: { index: String(i), payload: 'x'.repeat(256) } })),
    );
    await run('get (GET one)', COUNT, (i) => call('GET', `${path}/cm-${i}`));
    await run(`list (all ${COUNT})`, LISTS, () => call('GET', path));
    await run('list (labelSelector, 1% match)', LISTS * 10, (i) => call('GET', `${path}?labelSelector=shard%3D${i % 100}`));
    console.log(`store on disk: ${((await dirSize(join(dir, 'runtime'))) / 1024 / 1024).toFixed(1)} MiB (${join(dir, 'runtime')})`);
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
