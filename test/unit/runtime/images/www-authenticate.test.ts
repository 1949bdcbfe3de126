import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../../../../runtime/images/www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } }],
    ],
    ['Basic realm="baton-test"', [{ scheme: 'basic', params: { realm: 'baton-test' } }]],
    [
      'Bearer realm="http://a/t", error="insufficient_scope", Basic realm=x',
      [
        { scheme: 'bearer', params: { realm: 'http://a/t', error: 'insufficient_scope' } },
        { scheme: 'basic', params: { realm: 'x' } },
      ],
    ],
    ['Bearer realm="q\\"uoted,comma"', [{ scheme: 'bearer', params: { realm: 'q"uoted,comma' } }]],
    ['', []],
  ])('%j', (header, expected) => expect(parseWwwAuthenticate(header)).toEqual(expected));
});
