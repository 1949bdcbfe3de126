import { describe, expect, it } from 'vitest';
import { cidrOf, parseCidr } from '../../../../runtime/network/ipv4-cidr.js';
import { describeRoute, findOverlappingRoute, type IpRoute } from '../../../../runtime/network/route-overlap.js';

const machine: IpRoute[] = [
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
  { dst: '192.0.2.0/24', dev: 'eth0' },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local' },
  { type: 'local', dst: '192.0.2.2', dev: 'eth0', table: 'local' },
  { dst: '10.244.0.0/16', dev: 'btaaaaaaaa' },
  { type: 'local', dst: '10.244.0.1', dev: 'btaaaaaaaa', table: 'local' },
  { type: 'blackhole', dst: '172.16.5.0/24' },
  { type: 'unreachable', dst: '10.96.0.0/16', metric: 4242 },
  { type: 'unreachable', dst: '10.97.0.0/16', metric: 1 },
];

function cidr(text: string) {
  const p = parseCidr(text)!;
  return cidrOf(p.address, p.prefix);
}

describe('findOverlappingRoute', () => {
  it.each([
    ['10.244.0.0/16', 'btaaaaaaaa', undefined],
    ['10.244.0.0/16', 'btbbbbbbbb', '10.244.0.0/16 dev btaaaaaaaa'],
    ['10.244.128.0/24', 'btbbbbbbbb', '10.244.0.0/16 dev btaaaaaaaa'],
    ['10.0.0.0/8', 'btbbbbbbbb', '10.244.0.0/16 dev btaaaaaaaa'],
    ['10.245.0.0/16', 'btbbbbbbbb', undefined],
    ['192.0.0.0/16', 'btbbbbbbbb', '192.0.2.0/24 dev eth0'],
    ['127.1.0.0/16', 'btbbbbbbbb', 'local 127.0.0.0/8 dev lo table local'],
    ['172.16.0.0/16', 'btbbbbbbbb', 'blackhole 172.16.5.0/24'],
    // A network's own fallback under exactly its range is not a rival; anyone else's unreachable route is.
    ['10.96.0.0/16', 'btbbbbbbbb', undefined],
    ['10.96.0.0/12', 'btbbbbbbbb', 'unreachable 10.96.0.0/16'],
    ['10.97.0.0/16', 'btbbbbbbbb', 'unreachable 10.97.0.0/16'],
  ])('%s for bridge %s meets %s', (podCidr, bridge, expected) => {
    const route = findOverlappingRoute(machine, cidr(podCidr), bridge);
    expect(route && describeRoute(route)).toBe(expected);
  });
});
