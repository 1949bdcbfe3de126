import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { boundAddresses, procAddress } from '../../../../runtime/kubelet/bound-addresses.js';
import { PodIpAllocator } from '../../../../runtime/kubelet/pod-ip-allocator.js';

let server: Server | undefined;
afterEach(() => server?.close());

describe('pod IPs on loopback', () => {
  it('reads the kernel socket tables: little-endian hex to dotted quad', () => {
    expect(procAddress('0201017F:1F90')).toBe('127.1.1.2');
    expect(procAddress('00000000:0000')).toBe('0.0.0.0');
    expect(procAddress('garbage')).toBeUndefined();
  });

  it('sees an address another program listens on', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(0, '127.1.250.7', resolve));
    expect(boundAddresses().has('127.1.250.7')).toBe(true);
  });

  it('never hands out an address a socket is bound to (another runtime on the machine), nor one it gave already', () => {
    const taken = new Set<string>();
    const first = new PodIpAllocator({ bound: () => taken, start: 1000 }).allocate('elsewhere');
    taken.add(first);
    // A second allocator starting at the same place skips the address the first one's pod holds.
    const allocator = new PodIpAllocator({ bound: () => taken, start: 1000 });
    const ips = Array.from({ length: 50 }, (_, i) => allocator.allocate(`pod-${i}`));
    expect(new Set(ips).size).toBe(50);
    expect(ips).not.toContain(first);
    expect(new PodIpAllocator({ start: 1000 }).allocate('x')).toBe(first);
  });
});
