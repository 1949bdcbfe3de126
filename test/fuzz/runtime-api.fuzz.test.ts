import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources, type ResourceName } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { fuzzParameters, reportCases, withinBound } from './fuzz-settings.js';
import { accept, apiPath, coherentRequest, contentType, method, namePool, namespacePool, query, requestBody, seedObject } from './runtime-api-arbitraries.js';

let dir: string;
let runtime: RunningRuntime;
let agent: Agent;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  streaming: boolean;
}

/** One request on the keep-alive agent; a watch answering 200 is cut after its headers (its stream would run for minutes). */
function send(m: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { authorization: `Bearer ${runtime.token}`, ...headers };
    if (body !== undefined) h['content-length'] = String(Buffer.byteLength(body));
    const req = request(`${runtime.url}${path}`, { method: m, headers: h, agent }, (res) => {
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 200 && res.headers['transfer-encoding'] === 'chunked' && /watch/.test(path)) {
        resolve({ status: 200, contentType: type, text: '', streaming: true });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: type, text: Buffer.concat(chunks).toString('utf8'), streaming: false }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function seed(): Promise<void> {
  for (const ns of namespacePool) {
    if (ns !== 'default') await send('POST', '/api/v1/namespaces', { 'content-type': 'application/json' }, JSON.stringify(seedObject('namespaces', ns, ns)));
  }
  // Every pooled name exists at the start in every pooled namespace, so item requests reach real objects.
  for (const resource of Object.keys(resources) as ResourceName[]) {
    const t = resources[resource];
    const prefix = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    for (const ns of t.namespaced ? namespacePool : ['']) {
      for (const name of namePool) {
        const path = `${prefix}${ns ? `/namespaces/${ns}` : ''}/${t.plural}`;
        await send('POST', path, { 'content-type': 'application/json' }, JSON.stringify(seedObject(resource, name, ns || name)));
      }
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-fuzz-rt-'));
  // The API alone: no pods run, no proxy or ingress listens, no controller acts on what the fuzzer writes.
  runtime = await startRuntime({ stateDir: dir, port: 0, kubelet: false, proxy: false, ingress: false, controllers: false });
  agent = new Agent({ keepAlive: true, maxSockets: 4, ca: runtime.caCertificate });
  await seed();
});

afterAll(async () => {
  agent?.destroy();
  await runtime?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const plainTextPaths = new Set(['/healthz', '/readyz', '/livez']);

describe('runtime Kubernetes API fuzz', () => {
  it('answers any request to any route with a valid response, errors as Kubernetes Status, never 5xx', { timeout: 900_000 }, async () => {
    let cases = 0;
    const started = Date.now();
    const statuses = new Map<number, number>();
    const randomCase = fc.record({ method, path: apiPath, query, body: fc.option(requestBody, { freq: 5 }), contentType, accept, userAgent: fc.constantFrom(undefined, 'kubectl/v1.32.0', '/', '') });
    const kubectlCase = fc.record({ request: coherentRequest, accept, userAgent: fc.constantFrom(undefined, 'kubectl/v1.32.0') }).map(({ request: r, accept: a, userAgent }) => {
      const [p, q] = r.path.split('?');
      return { method: r.method, path: p, query: q ?? '', body: r.body ?? null, contentType: r.contentType, accept: a, userAgent };
    });
    const requestCase = fc.oneof({ weight: 3, arbitrary: randomCase }, { weight: 2, arbitrary: kubectlCase });
    await fc.assert(
      fc.asyncProperty(requestCase, async (c) => {
        cases++;
        const headers: Record<string, string> = {};
        if (c.contentType !== undefined) headers['content-type'] = c.contentType;
        if (c.accept !== undefined) headers.accept = c.accept;
        if (c.userAgent !== undefined) headers['user-agent'] = c.userAgent;
        const path = c.query ? `${c.path}?${c.query}` : c.path;
        const res = await withinBound(`${c.method} ${path}`, () => send(c.method, path, headers, c.body ?? undefined));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${c.method} ${path} (${c.contentType}) -> ${res.status} ${res.text.slice(0, 400)}`;
        expect(res.status >= 200 && res.status < 500, what).toBe(true);
        if (c.method === 'HEAD' || res.streaming || plainTextPaths.has(c.path)) return;
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(res.text) as Record<string, unknown>;
        } catch {
          throw new Error(`not JSON: ${what}`);
        }
        expect(res.contentType, what).toMatch(/^application\/json/);
        if (res.status >= 400) {
          expect(parsed, what).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: res.status });
          expect(typeof parsed.message === 'string' && typeof parsed.reason === 'string', what).toBe(true);
        }
      }),
      fuzzParameters(),
    );
    reportCases('runtime-api', cases, started);
    console.log(`fuzz runtime-api: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // The API still works after everything the fuzzer sent.
    const name = `after-fuzz-${Date.now()}`;
    await send('POST', '/api/v1/namespaces', { 'content-type': 'application/json' }, JSON.stringify(seedObject('namespaces', 'after-fuzz', 'after-fuzz')));
    const created = await send('POST', '/api/v1/namespaces/after-fuzz/configmaps', { 'content-type': 'application/json' }, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { ok: 'yes' } }));
    expect(created.status, created.text).toBe(201);
    const got = await send('GET', `/api/v1/namespaces/after-fuzz/configmaps/${name}`, {});
    expect(got.status).toBe(200);
    expect(JSON.parse(got.text)).toMatchObject({ kind: 'ConfigMap', metadata: { name, namespace: 'after-fuzz' }, data: { ok: 'yes' } });
  });
});
