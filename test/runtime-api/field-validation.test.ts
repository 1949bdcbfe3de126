import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', 'fv');
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: fv}\nspec:\n  foo: bar\n  ports: [{port: 80, bogus: 1}]\n`;

describe('server-side field validation', () => {
  it('kubectl apply (--validate=strict, its default) is refused with the strict decoding error', async () => {
    const r = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], service('strict'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].bogus"');
    expect((await kubectl(rt.kubeconfig, ['get', 'service', 'strict', '-n', 'fv'])).code).not.toBe(0);
  });

  it('--validate=warn stores the object without the unknown fields and kubectl prints the warnings', async () => {
    const r = await kubectl(rt.kubeconfig, ['apply', '--validate=warn', '-f', '-'], service('warned'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: unknown field "spec.foo"');
    expect(r.stderr).toContain('Warning: unknown field "spec.ports[0].bogus"');
    const stored = JSON.parse(await k('get', 'service', 'warned', '-n', 'fv', '-o', 'json'));
    expect(stored.spec.foo).toBeUndefined();
    expect(stored.spec.ports[0].bogus).toBeUndefined();
    expect(stored.spec.ports[0].port).toBe(80);
  });

  it('--validate=false drops them silently', async () => {
    const r = await kubectl(rt.kubeconfig, ['apply', '--validate=false', '-f', '-'], service('ignored'));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('unknown field');
    expect(await k('get', 'service', 'ignored', '-n', 'fv', '-o', 'jsonpath={.spec.foo}')).toBe('');
  });

  it('a patch adding an unknown field is dropped with a warning (kubectl patch sends no directive), refused under Strict', async () => {
    const warned = await kubectl(rt.kubeconfig, ['patch', 'service', 'warned', '-n', 'fv', '--type=merge', '-p', '{"spec":{"nope":1}}']);
    expect(warned.stderr).toContain('Warning: unknown field "spec.nope"');
    expect(await k('get', 'service', 'warned', '-n', 'fv', '-o', 'jsonpath={.spec.nope}')).toBe('');
    const strict = await apiRequest(rt, 'PATCH', '/api/v1/namespaces/fv/services/warned?fieldValidation=Strict', { body: '{"spec":{"nope":1}}', contentType: 'application/merge-patch+json' });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toContain('strict decoding error: unknown field "spec.nope"');
    const warn = await apiRequest(rt, 'PATCH', '/api/v1/namespaces/fv/services/warned?fieldValidation=Warn', { body: '{"spec":{"nope":1}}', contentType: 'application/merge-patch+json' });
    expect(warn.status).toBe(200);
    expect(warn.headers.warning).toContain('299 - "unknown field \\"spec.nope\\""');
    expect(warn.json().spec.nope).toBeUndefined();
  });

  it('duplicate JSON fields: refused under Strict, a warning under Warn (the last one kept)', async () => {
    const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","namespace":"fv"},"data":{"a":"1","a":"2"}}';
    const strict = await apiRequest(rt, 'POST', '/api/v1/namespaces/fv/configmaps?fieldValidation=Strict', { body, contentType: 'application/json' });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.a"');
    const warn = await apiRequest(rt, 'POST', '/api/v1/namespaces/fv/configmaps', { body, contentType: 'application/json' });
    expect(warn.status).toBe(201);
    expect(warn.headers.warning).toContain('299 - "duplicate field \\"data.a\\""');
    expect(warn.json().data).toEqual({ a: '2' });
  });
});
