import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';

// The shop's real service scripts, started as the chart starts them (`node server.mjs routes.mjs`),
// each on a free loopback port, wired to each other by the Kubernetes-style service variables.
const services = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples-repo/services');

interface Running {
  name: string;
  port: number;
  child: ChildProcess;
  output: string[];
}

const running = new Map<string, Running>();

function serviceVars(names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const n of names) {
    const svc = running.get(n);
    if (!svc) throw new Error(`start ${n} before the services that call it`);
    env[`${n.toUpperCase()}_SERVICE_HOST`] = '127.0.0.1';
    env[`${n.toUpperCase()}_SERVICE_PORT`] = String(svc.port);
  }
  return env;
}

async function start(name: string, upstreams: string[] = [], extraEnv: Record<string, string> = {}, key = name): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(services, 'lib/server.mjs'), path.join(services, name, 'routes.mjs')], {
    env: { PATH: process.env.PATH, POD_IP: '127.0.0.1', PORT: String(port), SERVICE_NAME: name, ...serviceVars(upstreams), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const svc: Running = { name, port, child, output: [] };
  running.set(key, svc);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      svc.output.push(chunk.toString());
      if (svc.output.join('').includes('"msg":"listening"')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => svc.output.push(c.toString()));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${svc.output.join('')}`)));
  });
  return svc;
}

/** Stops a service with SIGTERM and resolves with its exit code once it has drained. */
async function stop(name: string): Promise<number | null> {
  const svc = running.get(name);
  if (!svc) return null;
  running.delete(name);
  if (svc.child.exitCode !== null) return svc.child.exitCode;
  const exited = new Promise<number | null>((resolve) => svc.child.once('exit', (code) => resolve(code)));
  svc.child.kill('SIGTERM');
  return exited;
}

async function get(name: string, urlPath: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${running.get(name)!.port}${urlPath}`);
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('the shop services, run as real processes', () => {
  beforeAll(async () => {
    await start('pricing', [], { DISCOUNT_PERCENT: '10', CURRENCY: 'EUR' });
    await start('inventory');
    await start('catalog', ['pricing', 'inventory']);
    await start('gateway', ['catalog'], { APP_VERSION: '9.9.9' });
  });

  afterAll(async () => {
    await Promise.all([...running.keys()].map((n) => stop(n)));
  });

  it('serves /healthz, /readyz and the version given by APP_VERSION', async () => {
    expect(await get('gateway', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('gateway', '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    const version = await get('gateway', '/version');
    expect(version.body).toMatchObject({ service: 'gateway', version: '9.9.9', podIP: '127.0.0.1' });
  });

  it('gathers products with prices and stock from catalog, pricing and inventory', async () => {
    const { status, body } = await get('gateway', '/api/products');
    expect(status).toBe(200);
    const teapot = body.products.find((p: any) => p.sku === 'pot-cast-iron');
    // 5900 list price, 10% discount from pricing's env, in stock per inventory.
    expect(teapot).toMatchObject({ name: 'Cast iron teapot', price: { amount: 5310, currency: 'EUR', list: 5900 }, inStock: true });
    const rooibos = body.products.find((p: any) => p.sku === 'tea-rooibos');
    expect(rooibos.inStock).toBe(false);
  });

  it('passes an upstream 404 through with its status', async () => {
    const { status, body } = await get('gateway', '/api/products/no-such-sku');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found', upstream: 'catalog' });
  });

  it('reports an upstream without service variables as a 502 naming the variable', async () => {
    const { status, body } = await get('gateway', '/api/search?q=tea');
    expect(status).toBe(502);
    expect(body.error).toBe('upstream_not_configured');
    expect(body.message).toContain('SEARCH_SERVICE_HOST');
  });

  it('fails /healthz while upstream service variables are missing, when told to, so liveness restarts it', async () => {
    await start('search', [], { UPSTREAM_ENV_REQUIRED: 'true' }, 'search-without-catalog');
    const health = await get('search-without-catalog', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ error: 'missing_upstreams', missing: ['catalog'] });
    // Still ready: it answers what it can, and a not-ready pod would never be restarted.
    expect((await get('search-without-catalog', '/readyz')).status).toBe(200);
    expect(await stop('search-without-catalog')).toBe(0);

    await start('search', ['catalog'], { UPSTREAM_ENV_REQUIRED: 'true' }, 'search-with-catalog');
    expect((await get('search-with-catalog', '/healthz')).status).toBe(200);
    const hits = await get('search-with-catalog', '/search?q=teapot');
    expect(hits.body.results.map((p: any) => p.sku)).toEqual(['pot-cast-iron']);
    expect(await stop('search-with-catalog')).toBe(0);
  });

  it('keeps serving without inventory, with stock unknown', async () => {
    expect(await stop('inventory')).toBe(0);
    const { status, body } = await get('gateway', '/api/products/tea-sencha');
    expect(status).toBe(200);
    expect(body).toMatchObject({ sku: 'tea-sencha', price: { amount: 1161 }, inStock: null });
  });

  it('answers 502 JSON, without crashing, when a required upstream is down', async () => {
    expect(await stop('pricing')).toBe(0);
    const viaCatalog = await get('gateway', '/api/products');
    expect(viaCatalog.status).toBe(502);
    expect(viaCatalog.body).toMatchObject({ error: 'upstream_error', service: 'gateway', upstream: 'catalog' });
    expect(viaCatalog.body.cause).toMatchObject({ error: 'upstream_unavailable', service: 'catalog', upstream: 'pricing' });

    expect(await stop('catalog')).toBe(0);
    const direct = await get('gateway', '/api/products');
    expect(direct.status).toBe(502);
    expect(direct.body).toMatchObject({ error: 'upstream_unavailable', upstream: 'catalog' });
    expect(direct.body.message).toMatch(/^catalog is unavailable/);

    // Still alive and healthy: an upstream outage is not the gateway's own failure.
    expect((await get('gateway', '/healthz')).status).toBe(200);
  });

  it('on SIGTERM refuses new connections, finishes the request in flight, then exits 0', async () => {
    // A stand-in catalog that holds its answer until the test lets it go.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived = false;
    const slowCatalog = createHttpServer((_req, res) => {
      arrived = true;
      void held.then(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ products: [{ sku: 'x' }] }));
      });
    });
    await new Promise<void>((r) => slowCatalog.listen(0, '127.0.0.1', r));
    try {
      const catalogPort = (slowCatalog.address() as { port: number }).port;
      const gw = await start('gateway', [], { CATALOG_SERVICE_HOST: '127.0.0.1', CATALOG_SERVICE_PORT: String(catalogPort) }, 'draining-gateway');
      const inFlight = get('draining-gateway', '/api/products');
      await waitFor('the request to reach the catalog', () => arrived, { intervalMs: 20 });
      const exited = stop('draining-gateway');
      await waitFor('the gateway to log draining', () => gw.output.join('').includes('"msg":"draining"'), { intervalMs: 20 });
      await expect(fetch(`http://127.0.0.1:${gw.port}/healthz`)).rejects.toThrow();
      release();
      expect(await inFlight).toEqual({ status: 200, body: { products: [{ sku: 'x' }] } });
      expect(await exited).toBe(0);
    } finally {
      release();
      slowCatalog.close();
    }
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const gw = running.get('gateway')!;
    expect(await stop('gateway')).toBe(0);
    const log = gw.output.join('');
    expect(log).toContain('"msg":"draining","signal":"SIGTERM"');
    expect(log).toContain('"msg":"stopped"');
  });
});
