import { describe, expect, it } from 'vitest';
import { validatePodDns } from '../../../../../runtime/api/validation/validate-pod-dns.js';

function problems(spec: Record<string, unknown>): string[] {
  return validatePodDns({ containers: [], ...spec }, 'spec').map((c) => `${c.field}: ${c.message}`);
}

describe('validatePodDns', () => {
  it.each([
    ['the default policy', {}],
    ['ClusterFirstWithHostNet', { dnsPolicy: 'ClusterFirstWithHostNet' }],
    ['None with a nameserver', { dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'], searches: ['corp.example.'], options: [{ name: 'ndots', value: '2' }] } }],
    ['a StatefulSet-style hostname and subdomain', { hostname: 'db-0', subdomain: 'db' }],
    ['hostAliases', { hostAliases: [{ ip: '192.0.2.7', hostnames: ['foo.local', 'bar'] }] }],
  ])('accepts %s', (_what, spec) => {
    expect(problems(spec)).toEqual([]);
  });

  it.each([
    ['an unknown policy', { dnsPolicy: 'ClusterLast' }, 'spec.dnsPolicy: Unsupported value: "ClusterLast": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    ['None without dnsConfig', { dnsPolicy: 'None' }, 'spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    ['None without nameservers', { dnsPolicy: 'None', dnsConfig: {} }, 'spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None'],
    ['four nameservers', { dnsConfig: { nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'] } }, 'spec.dnsConfig.nameservers: Invalid value: ["192.0.2.1","192.0.2.2","192.0.2.3","192.0.2.4"]: must not have more than 3 nameservers'],
    ['a nameserver that is no address', { dnsConfig: { nameservers: ['dns.example'] } }, 'spec.dnsConfig.nameservers[0]: Invalid value: "dns.example": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ['a search domain that is no domain', { dnsConfig: { searches: ['Bad_Domain'] } }, 'spec.dnsConfig.searches[0]: Invalid value: "Bad_Domain": a lowercase RFC 1123 subdomain'],
    ['an option without a name', { dnsConfig: { options: [{ value: '2' }] } }, 'spec.dnsConfig.options[0]: Required value: must not be empty'],
    ['a hostAlias without an address', { hostAliases: [{ ip: 'x', hostnames: ['a'] }] }, 'spec.hostAliases[0].ip: Invalid value: "x": must be a valid IP address'],
    ['a hostAlias hostname that is no name', { hostAliases: [{ ip: '192.0.2.7', hostnames: ['Foo!'] }] }, 'spec.hostAliases[0].hostnames[0]: Invalid value: "Foo!": a lowercase RFC 1123 subdomain'],
    ['a hostname that is no label', { hostname: 'db.0' }, 'spec.hostname: Invalid value: "db.0": a lowercase RFC 1123 label'],
  ])('refuses %s', (_what, spec, expected) => {
    const found = problems(spec);
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(expected)).toBe(true);
  });

  it('refuses more than 32 search domains', () => {
    const searches = Array.from({ length: 33 }, (_, i) => `d${i}.example`);
    expect(problems({ dnsConfig: { searches } })).toEqual([expect.stringMatching(/^spec\.dnsConfig\.searches: Invalid value: .*must not have more than 32 search paths$/)]);
  });
});
