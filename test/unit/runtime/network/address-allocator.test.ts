import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AddressAllocator } from '../../../../runtime/network/address-allocator.js';
import { cidrOf, parseCidr } from '../../../../runtime/network/ipv4-cidr.js';

function cidr(text: string) {
  const p = parseCidr(text)!;
  return cidrOf(p.address, p.prefix);
}

describe('AddressAllocator', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-ipam-'));
    file = join(dir, 'network', 'allocations.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('skips network, gateway and broadcast, and keeps a pod its address', async () => {
    const ipam = await AddressAllocator.open(file, cidr('10.244.7.0/29'));
    const ips = [];
    for (const uid of ['a', 'b', 'c', 'd', 'e']) ips.push(await ipam.allocate(uid));
    expect(ips).toEqual(['10.244.7.2', '10.244.7.3', '10.244.7.4', '10.244.7.5', '10.244.7.6']);
    expect(await ipam.allocate('c')).toBe('10.244.7.4');
    await expect(ipam.allocate('f')).rejects.toMatchObject({ code: 'POOL_EXHAUSTED' });
  });

  it('goes round the range instead of reusing a just-freed address', async () => {
    const ipam = await AddressAllocator.open(file, cidr('10.244.7.0/29'));
    await ipam.allocate('a');
    await ipam.allocate('b');
    await ipam.release('a');
    expect(await ipam.allocate('c')).toBe('10.244.7.4');
    await ipam.release('b');
    for (const uid of ['d', 'e']) await ipam.allocate(uid);
    // The search wraps after .6 and finds .2 (freed first) before .3 (freed later).
    expect(await ipam.allocate('f')).toBe('10.244.7.2');
  });

  it('survives a restart, and drops entries outside the range', async () => {
    const first = await AddressAllocator.open(file, cidr('10.244.7.0/24'));
    await first.allocate('a');
    await first.allocate('b');
    await first.flush();
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.pods).toEqual({ a: '10.244.7.2', b: '10.244.7.3' });

    saved.pods.stray = '10.9.9.9';
    saved.pods.gatewayTaker = '10.244.7.1';
    await writeFile(file, JSON.stringify(saved));
    const second = await AddressAllocator.open(file, cidr('10.244.7.0/24'));
    expect(second.uids().sort()).toEqual(['a', 'b']);
    expect(await second.allocate('b')).toBe('10.244.7.3');
    expect(await second.allocate('c')).toBe('10.244.7.4');
  });
});
