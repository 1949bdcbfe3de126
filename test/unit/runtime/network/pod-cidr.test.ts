import { describe, expect, it } from 'vitest';
import { formatCidr } from '../../../../runtime/network/ipv4-cidr.js';
import { parsePodCidr } from '../../../../runtime/network/pod-cidr.js';

describe('parsePodCidr', () => {
  it.each(['10.244.0.0/16', '10.244.7.0/24', '172.30.0.0/30', '10.0.0.0/8'])('accepts %s', (text) => {
    expect(formatCidr(parsePodCidr(text))).toBe(text);
  });

  it.each([
    ['10.244.0.0', 'is not an IPv4 range'],
    ['fd00::/64', 'is not an IPv4 range'],
    ['10.244.3.0/16', 'did you mean 10.244.0.0/16?'],
    ['10.244.0.0/31', 'from /8 to /30'],
    ['0.0.0.0/0', 'from /8 to /30'],
  ])('refuses %s: %s', (text, message) => {
    expect(() => parsePodCidr(text)).toThrow(message);
  });
});
