import { describe, expect, it } from 'vitest';
import { validateIngressSpec } from '../../../../runtime/ingress/validate-ingress.js';

const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host: string | undefined, path: Record<string, unknown>) => ({ ...(host ? { host } : {}), http: { paths: [{ pathType: 'Prefix', path: '/', backend, ...path }] } });

describe('validateIngressSpec', () => {
  const cases: Array<[what: string, spec: unknown, fields: string[]]> = [
    ['a host with a prefix path', { rules: [rule('shop.localhost', {})] }, []],
    ['a wildcard host', { rules: [rule('*.preview.localhost', {})] }, []],
    ['only a default backend', { defaultBackend: backend }, []],
    ['ImplementationSpecific without a path', { rules: [rule(undefined, { pathType: 'ImplementationSpecific', path: undefined })] }, []],
    ['neither rules nor default backend', {}, ['spec.rules']],
    ['an IP as host', { rules: [rule('127.0.0.1', {})] }, ['spec.rules[0].host']],
    ['a wildcard inside the host', { rules: [rule('a.*.localhost', {})] }, ['spec.rules[0].host']],
    ['an upper-case host', { rules: [rule('Shop.localhost', {})] }, ['spec.rules[0].host']],
    ['no pathType', { rules: [rule(undefined, { pathType: undefined })] }, ['spec.rules[0].http.paths[0].pathType']],
    ['an unknown pathType', { rules: [rule(undefined, { pathType: 'Regex' })] }, ['spec.rules[0].http.paths[0].pathType']],
    ['a relative path', { rules: [rule(undefined, { path: 'api' })] }, ['spec.rules[0].http.paths[0].path']],
    ['a double slash', { rules: [rule(undefined, { path: '/a//b' })] }, ['spec.rules[0].http.paths[0].path']],
    ['no paths', { rules: [{ host: 'a.localhost', http: { paths: [] } }] }, ['spec.rules[0].http.paths']],
    ['no backend', { rules: [rule(undefined, { backend: {} })] }, ['spec.rules[0].http.paths[0].backend']],
    ['both port name and number', { defaultBackend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }, ['spec.defaultBackend.service.port']],
    ['no port', { defaultBackend: { service: { name: 'web' } } }, ['spec.defaultBackend.service.port']],
    ['a port out of range', { defaultBackend: { service: { name: 'web', port: { number: 70000 } } } }, ['spec.defaultBackend.service.port.number']],
    ['a bad port name', { defaultBackend: { service: { name: 'web', port: { name: 'HTTP' } } } }, ['spec.defaultBackend.service.port.name']],
    ['a service name that is no DNS-1035 label', { defaultBackend: { service: { name: '1web', port: { number: 80 } } } }, ['spec.defaultBackend.service.name']],
  ];
  it.each(cases)('%s', (_what, spec, fields) => {
    expect([...new Set(validateIngressSpec(spec).map((c) => c.field))]).toEqual(fields);
  });

  it('words messages as Kubernetes does', () => {
    expect(validateIngressSpec({ rules: [rule('127.0.0.1', { path: 'x' })] }).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.rules[0].host: Invalid value: "127.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
    ]);
  });
});
