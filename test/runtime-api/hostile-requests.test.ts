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
});
