import { describe, expect, it } from 'vitest';
import { cidrOf, contains, formatCidr, gatewayOf, intToIp, ipToInt, lastAddress, overlaps, parseCidr, podAddressRange } from '../../../../runtime/network/ipv4-cidr.js';

function cidr(text: string) {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad test CIDR ${text}`);
  return cidrOf(parsed.address, parsed.prefix);
}

describe('ipv4-cidr', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.244.0.1', 0x0af40001],
    ['255.255.255.255', 0xffffffff],
    ['192.0.2.2', 0xc0000202],
  ])('%s is %i and back', (text, n) => {
    expect(ipToInt(text)).toBe(n);
    expect(intToIp(n)).toBe(text);
  });

  it.each(['10.244.0', '10.244.0.256', '10.244.0.1.2', 'fd00::1', '', ' 10.0.0.1'])('%j is not an address', (text) => {
    expect(ipToInt(text)).toBeUndefined();
  });

  it.each([
    ['10.244.0.0/16', { address: 0x0af40000, prefix: 16 }],
    ['10.244.0.5/16', { address: 0x0af40005, prefix: 16 }],
    ['192.0.2.2', { address: 0xc0000202, prefix: 32 }],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/', undefined],
    ['10.0.0.0/8/8', undefined],
    ['default', undefined],
  ])('parseCidr(%j)', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each([
    ['10.244.0.0/16', '10.244.0.1', '10.244.0.2', '10.244.255.254', '10.244.255.255'],
    ['10.244.7.0/24', '10.244.7.1', '10.244.7.2', '10.244.7.254', '10.244.7.255'],
    ['10.244.7.0/30', '10.244.7.1', '10.244.7.2', '10.244.7.2', '10.244.7.3'],
  ])('%s: gateway %s, pods %s to %s, broadcast %s', (text, gateway, first, last, broadcast) => {
    const c = cidr(text);
    expect(intToIp(gatewayOf(c))).toBe(gateway);
    const range = podAddressRange(c);
    expect([intToIp(range.first), intToIp(range.last)]).toEqual([first, last]);
    expect(intToIp(lastAddress(c))).toBe(broadcast);
  });

  it.each([
    ['10.244.0.0/16', '10.244.0.0/24', true],
    ['10.244.0.0/24', '10.244.0.0/16', true],
    ['10.244.0.0/24', '10.244.1.0/24', false],
    ['10.244.0.0/16', '10.245.0.0/16', false],
    ['10.0.0.0/8', '10.244.3.7', true],
    ['0.0.0.0/0', '10.244.0.0/16', true],
    ['127.0.0.0/8', '10.244.0.0/16', false],
  ])('%s overlaps %s: %s', (a, b, expected) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(expected);
  });

  it('masks host bits and checks membership', () => {
    const c = cidr('10.244.9.77/16');
    expect(formatCidr(c)).toBe('10.244.0.0/16');
    expect(contains(c, ipToInt('10.244.255.1')!)).toBe(true);
    expect(contains(c, ipToInt('10.245.0.1')!)).toBe(false);
  });
});
