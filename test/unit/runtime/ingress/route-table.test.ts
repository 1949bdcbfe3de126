import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { buildRouteTable, normalizeHost } from '../../../../runtime/ingress/route-table.js';

function ingress(name: string, spec: Record<string, unknown>, created = '2026-01-01T00:00:00Z'): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'shop', creationTimestamp: created }, spec };
}

const svc = (name: string, port: number | string = 80) => ({ service: { name, port: typeof port === 'number' ? { number: port } : { name: port } } });

function rule(host: string | undefined, paths: Array<[string, 'Exact' | 'Prefix' | 'ImplementationSpecific', string]>) {
  return { ...(host ? { host } : {}), http: { paths: paths.map(([path, pathType, to]) => ({ path, pathType, backend: svc(to) })) } };
}

/** The Kubernetes documentation's table of path matches, and host precedence. */
describe('buildRouteTable', () => {
  const table = buildRouteTable([
    ingress('paths', {
      rules: [
        rule('paths.localhost', [
          ['/', 'Prefix', 'root'],
          ['/aaa', 'Prefix', 'aaa'],
          ['/aaa/bbb/', 'Prefix', 'aaa-bbb'],
          ['/foo', 'Exact', 'foo-exact'],
          ['/foo', 'Prefix', 'foo-prefix'],
          ['/impl', 'ImplementationSpecific', 'impl'],
        ]),
        rule('exact-only.localhost', [['/foo', 'Exact', 'foo-exact']]),
      ],
    }),
    ingress('wild', { rules: [rule('*.preview.localhost', [['/', 'Prefix', 'wild']]), rule('pr-1.preview.localhost', [['/', 'Prefix', 'pr-1']])] }),
    ingress('hostless', { rules: [rule(undefined, [['/api', 'Prefix', 'any-api']])] }),
  ]);
  const cases: Array<[host: string, path: string, service: string | undefined]> = [
    ['paths.localhost', '/', 'root'],
    ['paths.localhost', '/ccc', 'root'],
    ['paths.localhost', '/aaa', 'aaa'],
    ['paths.localhost', '/aaa/', 'aaa'],
    ['paths.localhost', '/aaa/ccc', 'aaa'],
    ['paths.localhost', '/aaaxyz', 'root'],
    ['paths.localhost', '/aaa/bbb', 'aaa-bbb'],
    ['paths.localhost', '/aaa/bbb/ccc?q=1', 'aaa-bbb'],
    ['paths.localhost', '/aaa/bbbxyz', 'aaa'],
    ['paths.localhost', '/foo', 'foo-exact'],
    ['paths.localhost', '/foo/', 'foo-prefix'],
    ['paths.localhost', '/impl/x', 'impl'],
    ['PATHS.localhost:7080', '/foo', 'foo-exact'],
    ['exact-only.localhost', '/foo/', undefined],
    ['exact-only.localhost', '/api', undefined],
    ['pr-1.preview.localhost', '/', 'pr-1'],
    ['pr-2.preview.localhost', '/x', 'wild'],
    ['a.pr-2.preview.localhost', '/api', 'any-api'],
    ['preview.localhost', '/', undefined],
    ['unknown.localhost', '/api/v1', 'any-api'],
    ['unknown.localhost', '/', undefined],
    ['', '/api', 'any-api'],
  ];
  it.each(cases)('%s%s → %s', (host, path, service) => {
    expect(table.match(host, path)?.backend.service).toBe(service);
  });
});

describe('default backends', () => {
  it('serves a host without a matching path from its Ingress defaultBackend, anything else from an Ingress without rules', () => {
    const table = buildRouteTable([
      ingress('catch-all', { defaultBackend: svc('fallback') }),
      ingress('web', { defaultBackend: svc('web-default', 'http'), rules: [rule('web.localhost', [['/api', 'Prefix', 'api']])] }),
    ]);
    expect(table.match('web.localhost', '/api/x')?.backend).toEqual({ namespace: 'shop', service: 'api', port: 80 });
    expect(table.match('web.localhost', '/')?.backend).toEqual({ namespace: 'shop', service: 'web-default', port: 'http' });
    expect(table.match('other.localhost', '/')).toEqual({ backend: { namespace: 'shop', service: 'fallback', port: 80 }, ingress: 'shop/catch-all' });
  });
});

describe('conflicts and bad input', () => {
  it('gives an identical path to the older Ingress', () => {
    const table = buildRouteTable([
      ingress('newer', { rules: [rule('a.localhost', [['/', 'Prefix', 'newer']])] }, '2026-02-01T00:00:00Z'),
      ingress('older', { rules: [rule('a.localhost', [['/', 'Prefix', 'older']])] }, '2026-01-01T00:00:00Z'),
    ]);
    expect(table.match('a.localhost', '/')?.ingress).toBe('shop/older');
  });

  it('skips backends it cannot use and says why', () => {
    const table = buildRouteTable([
      ingress('bad', {
        rules: [
          {
            host: 'bad.localhost',
            http: {
              paths: [
                { path: '/r', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } },
                { path: '/p', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } },
                { path: 'rel', pathType: 'Prefix', backend: svc('web') },
              ],
            },
          },
        ],
      }),
    ]);
    expect(table.match('bad.localhost', '/r')).toBeUndefined();
    expect(table.problems.map((p) => p.message)).toEqual([
      'spec.rules[0].http.paths[0].backend: resource backends are not supported; use service',
      'spec.rules[0].http.paths[1].backend: service.port.number or service.port.name is required',
      'spec.rules[0].http.paths[2].path: must be an absolute path, got "rel"',
    ]);
  });
});

describe('normalizeHost', () => {
  it.each([
    ['Catalog.Localhost:7080', 'catalog.localhost'],
    ['catalog.localhost.', 'catalog.localhost'],
    ['[::1]:7080', '[::1]'],
    ['127.0.0.1', '127.0.0.1'],
  ])('%s → %s', (raw, want) => expect(normalizeHost(raw)).toBe(want));
});
