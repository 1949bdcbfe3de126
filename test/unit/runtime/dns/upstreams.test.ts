import { describe, expect, it } from 'vitest';
import { DnsConfigError } from '../../../../runtime/dns/dns-config-error.js';
import { hostUpstreams, parseUpstream } from '../../../../runtime/dns/upstreams.js';

describe('parseUpstream', () => {
  it.each([
    ['192.0.2.1', { address: '192.0.2.1', port: 53 }],
    ['127.0.0.1:5353', { address: '127.0.0.1', port: 5353 }],
    ['2001:db8::1', { address: '2001:db8::1', port: 53 }],
    ['[2001:db8::1]:5353', { address: '2001:db8::1', port: 5353 }],
    ['fe80::1%eth0', { address: 'fe80::1%eth0', port: 53 }],
  ])('%s', (text, expected) => {
    expect(parseUpstream(text, 'upstreams[0]')).toEqual(expected);
  });

  it.each(['dns.example', '192.0.2.1:0', '192.0.2.1:70000', ''])('refuses %j, naming the option', (text) => {
    expect(() => parseUpstream(text, 'upstreams[2]')).toThrow(DnsConfigError);
    expect(() => parseUpstream(text, 'upstreams[2]')).toThrow(/^upstreams\[2\]: /);
  });
});

describe('hostUpstreams', () => {
  it('takes the host’s nameservers, stub resolvers included, but never this server itself', () => {
    const conf = 'nameserver 127.0.0.53\nnameserver 10.88.0.1\nnameserver bogus\nnameserver 192.0.2.9\n';
    expect(hostUpstreams(conf, { host: '10.88.0.1', port: 53 })).toEqual([
      { address: '127.0.0.53', port: 53 },
      { address: '192.0.2.9', port: 53 },
    ]);
    expect(hostUpstreams(conf, { host: '0.0.0.0', port: 53 }).map((u) => u.address)).toEqual(['10.88.0.1', '192.0.2.9']);
  });
});
