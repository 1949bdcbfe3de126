import { describe, expect, it } from 'vitest';
import { checkHostPorts } from '../../../../runtime/network/host-ports.js';
import type { HostPort } from '../../../../runtime/network/network-types.js';

describe('checkHostPorts', () => {
  it('accepts tcp and udp ports', () => {
    const ports: HostPort[] = [
      { protocol: 'udp', port: 53 },
      { protocol: 'tcp', port: 65535 },
    ];
    expect(checkHostPorts(ports)).toEqual(ports);
  });

  it.each([
    [{ protocol: 'sctp', port: 53 }],
    [{ protocol: 'tcp', port: 0 }],
    [{ protocol: 'tcp', port: 70000 }],
    [{ protocol: 'udp', port: 5.5 }],
  ])('refuses %j, naming the entry', (port) => {
    expect(() => checkHostPorts([{ protocol: 'tcp', port: 80 }, port as HostPort])).toThrow(/^hostPortsOpenToPods\[1\] /);
  });
});
