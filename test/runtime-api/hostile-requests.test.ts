import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { apiRequest } from './runtime-process.js';

// Requests the fuzzer in test/fuzz/runtime-api.fuzz.test.ts found answered with a 500.

let dir: string;
let runtime: RunningRuntime;
let rt: { url: string; token: string; ca: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-rt-hostile-'));
  runtime = await startRuntime({ stateDir: dir, port: 0, kubelet: false, proxy: false, ingress: false, controllers: false });
  rt = { url: runtime.url, token: runtime.token, ca: runtime.caCertificate };
});

afterAll(async () => {
  await runtime?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('hostile requests to the runtime API', () => {
  it('a malformed %-escape in a resource path is a 400 BadRequest Status, not a 500', async () => {
    for (const path of ['/api/v1/namespaces/%E0%A4%A/pods', '/api/v1/namespaces/default/configmaps/%zz', '/apis/apps/v1/namespaces/default/deployments/a%/status']) {
      const res = await apiRequest(rt, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.json(), path).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    }
  });

  it('a malformed %-escape in a discovery path is a 400 BadRequest Status, not a 500', async () => {
    for (const path of ['/api/%E0%A4%A', '/apis/%zz', '/apis/apps/%C0']) {
      const res = await apiRequest(rt, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.json(), path).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    }
  });

  it('OPTIONS is a 405 MethodNotAllowed Status everywhere, not express\' own 200 "GET, HEAD"', async () => {
    for (const path of ['/api', '/api/v1', '/apis/apps/v1', '/version', '/api/v1/namespaces/default/configmaps']) {
      const res = await apiRequest(rt, 'OPTIONS', path);
      expect(res.status, path).toBe(405);
      expect(res.json(), path).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
    }
  });

  it('YAML whose anchor contains an alias to itself is a 400 BadRequest Status, not a stack overflow 500', async () => {
    const create = await apiRequest(rt, 'POST', '/api/v1/namespaces/default/configmaps', { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loop\ndata: &a {k: *a}\n', contentType: 'application/yaml' });
    const apply = await apiRequest(rt, 'PATCH', '/api/v1/namespaces/default/configmaps/loop?fieldManager=fuzz', { body: 'a: &a [*a]', contentType: 'application/apply-patch+yaml' });
    for (const res of [create, apply]) {
      expect(res.status, res.text).toBe(400);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message: 'error converting YAML to JSON: an anchor contains an alias to itself' });
    }
  });

  it('bodies nested thousands deep are a 400 BadRequest Status, not a stack overflow 500', async () => {
    // Built as text: JSON.stringify itself would overflow on it.
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","annotations":${deep(5000)}},"data":${deep(5000)}}`;
    const create = await apiRequest(rt, 'POST', '/api/v1/namespaces/default/configmaps', { body, contentType: 'application/json' });
    expect(create.status, create.text.slice(0, 300)).toBe(400);
    expect(create.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'the request body is nested more than 256 levels deep' });
    const patch = await apiRequest(rt, 'PATCH', '/api/v1/namespaces/default/configmaps/loop', { body: `{"data":${deep(5000)}}`, contentType: 'application/merge-patch+json' });
    expect(patch.status, patch.text.slice(0, 300)).toBe(400);
    // A real object, a few levels deep, still goes through.
    const ok = await apiRequest(rt, 'POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shallow' }, data: { k: 'v' } }), contentType: 'application/json' });
    expect(ok.status, ok.text).toBe(201);
  });

  it('a patch that turns metadata into a number, a list or null is a 400 BadRequest Status, not a 500', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched' }, data: { k: 'v' } });
    expect((await apiRequest(rt, 'POST', '/api/v1/namespaces/default/configmaps', { body: cm, contentType: 'application/json' })).status).toBe(201);
    const patches: Array<[string, string]> = [
      ['application/merge-patch+json', '{"metadata": 1.5}'],
      ['application/strategic-merge-patch+json', '{"metadata": [1, 2]}'],
      ['application/json-patch+json', '[{"op": "replace", "path": "/metadata", "value": "x"}]'],
      ['application/json-patch+json', '[{"op": "remove", "path": "/metadata"}]'],
    ];
    for (const [contentType, body] of patches) {
      const res = await apiRequest(rt, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', { body, contentType });
      expect(res.status, `${contentType} ${body}: ${res.text}`).toBe(400);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'metadata must be an object' });
    }
    const after = await apiRequest(rt, 'GET', '/api/v1/namespaces/default/configmaps/patched');
    expect(after.json()).toMatchObject({ metadata: { name: 'patched' }, data: { k: 'v' } });
  });

  it('a JSON patch through __proto__ or constructor/prototype is a 422 Invalid Status, not a 500', async () => {
    for (const body of ['[{"op": "add", "path": "/metadata/__proto__", "value": {"x": 1}}]', '[{"op": "test", "path": "/data/__proto__", "value": 1}]', '[{"op": "copy", "from": "/constructor/prototype", "path": "/data/k"}]']) {
      const res = await apiRequest(rt, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', { body, contentType: 'application/json-patch+json' });
      expect(res.status, `${body}: ${res.text}`).toBe(422);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { causes: [{ field: 'patch', message: expect.stringMatching(/reaches an object prototype$/) }] } });
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('a __proto__ key in any body is a 400 and never reaches Object.prototype (the strategic merge patch copied it there)', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['PATCH', '/api/v1/namespaces/default/configmaps/patched', 'application/strategic-merge-patch+json', '{"data": {"__proto__": {"polluted": true}}}'],
      ['PATCH', '/api/v1/namespaces/default/configmaps/patched', 'application/strategic-merge-patch+json', '{"__proto__": {"polluted": true}}'],
      ['PATCH', '/api/v1/namespaces/default/configmaps/patched', 'application/merge-patch+json', '{"metadata": {"labels": {"__proto__": {"polluted": true}}}}'],
      ['PATCH', '/api/v1/namespaces/default/configmaps/patched?fieldManager=fuzz', 'application/apply-patch+yaml', 'metadata:\n  __proto__: {polluted: true}\n'],
      ['POST', '/api/v1/namespaces/default/configmaps', 'application/json', '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "proto"}, "data": {"__proto__": {"polluted": true}}}'],
    ];
    for (const [method, path, contentType, body] of cases) {
      const res = await apiRequest(rt, method, path, { body, contentType });
      expect(res.status, `${contentType} ${body}: ${res.text}`).toBe(400);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'the request body has a "__proto__" key, which is not allowed (it could alter object prototypes)' });
      expect(({} as Record<string, unknown>).polluted, `${contentType} ${body}`).toBeUndefined();
    }
  });
});
