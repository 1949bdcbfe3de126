import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError, startPodNetwork, type PodNetwork } from '../../runtime/network/index.js';
import { hostObjects, routeDev, run, startTestNetwork, status } from './test-network.js';

type HostObjects = Awaited<ReturnType<typeof hostObjects>>;

function netnsOf(netnsPath: string): string {
  return netnsPath.split('/').pop() as string;
}

/** The host end of a pod's veth: the port of the bridge whose peer lives in the pod's namespace. */
async function hostVethOf(bridge: string, netns: string): Promise<string | undefined> {
  const ids = JSON.parse((await run('ip', ['-j', 'netns', 'list'])) || '[]') as Array<{ name: string; id?: number }>;
  const id = ids.find((n) => n.name === netns)?.id;
  const ports = JSON.parse((await run('ip', ['-j', 'link', 'show', 'master', bridge, 'type', 'veth'])) || '[]') as Array<{
    ifname: string;
    link_netnsid?: number;
  }>;
  return ports.find((p) => id !== undefined && p.link_netnsid === id)?.ifname;
}

async function eth0Addresses(netns: string): Promise<string[]> {
  const [link] = JSON.parse(await run('ip', ['-n', netns, '-j', 'addr', 'show', 'dev', 'eth0'])) as Array<{
    flags: string[];
    addr_info: Array<{ family: string; local: string; prefixlen: number }>;
  }>;
  expect(link.flags).toContain('UP');
  return link.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
}

function ours(objects: HostObjects, bridge: string): string[] {
  return [
    ...objects.netns.filter((n) => n.startsWith(`${bridge}-`)),
    ...objects.bridges.filter((b) => b === bridge),
    ...objects.tables.filter((t) => t === `table inet ${bridge}`),
  ];
}

describe('pod network lifecycle', () => {
  let net: PodNetwork | undefined;
  let stateDir: string | undefined;
  let before: HostObjects;
  const madeVeths = new Set<string>();

  beforeAll(async () => {
    before = await hostObjects();
    ({ net, stateDir } = await startTestNetwork());
  });

  afterAll(async () => {
    await net?.destroy();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('sets a pod up once, and again after a restart on the same state dir, with the same address', async () => {
    const first = net as PodNetwork;
    const sandbox = await first.setup('uid-1');
    expect(await first.setup('uid-1')).toEqual(sandbox);
    const netns = netnsOf(sandbox.netnsPath);
    expect(netns.startsWith(`${first.bridge}-`)).toBe(true);
    expect(await eth0Addresses(netns)).toEqual([`${sandbox.ip}/24`]);
    expect(await routeDev('192.0.2.1', netns)).toBe('eth0');
    expect(JSON.parse(await run('ip', ['-n', netns, '-j', 'route', 'show', 'default']))).toMatchObject([{ gateway: first.gateway, dev: 'eth0' }]);
    madeVeths.add((await hostVethOf(first.bridge, netns)) as string);

    const other = await first.setup('uid-2');
    expect(other.ip).not.toBe(sandbox.ip);
    await first.close();
    await expect(first.setup('uid-9')).rejects.toThrow('is closed');

    const restarted = await startPodNetwork({ stateDir: stateDir as string, podCidr: first.podCidr });
    net = restarted;
    expect(restarted.bridge).toBe(first.bridge);
    expect(await restarted.setup('uid-1')).toEqual(sandbox);
    expect(await restarted.setup('uid-2')).toEqual(other);
    expect(await routeDev(sandbox.ip)).toBe(restarted.bridge);
  });

  it('repairs a sandbox left half made', async () => {
    const n = net as PodNetwork;
    const sandbox = await n.setup('uid-1');
    const netns = netnsOf(sandbox.netnsPath);
    const veth = (await hostVethOf(n.bridge, netns)) as string;
    await run('ip', ['link', 'del', 'dev', veth]);
    expect(await n.setup('uid-1')).toEqual(sandbox);
    expect(await eth0Addresses(netns)).toEqual([`${sandbox.ip}/24`]);
    expect(await hostVethOf(n.bridge, netns)).toBe(veth);

    await run('ip', ['-n', netns, 'addr', 'flush', 'dev', 'eth0']);
    await run('ip', ['-n', netns, 'addr', 'add', '10.1.2.3/24', 'dev', 'eth0']);
    expect(await n.setup('uid-1')).toEqual(sandbox);
    expect(await eth0Addresses(netns)).toEqual([`${sandbox.ip}/24`]);
    expect(await routeDev('192.0.2.1', netns)).toBe('eth0');
  });

  it('serializes setup and teardown of one pod', async () => {
    const n = net as PodNetwork;
    const results = await Promise.all([n.setup('uid-3'), n.teardown('uid-3'), n.setup('uid-3'), n.setup('uid-4')]);
    const netns = netnsOf(results[2].netnsPath);
    expect(await eth0Addresses(netns)).toEqual([`${results[2].ip}/24`]);
    expect(results[3].ip).not.toBe(results[2].ip);
  });

  it('tears a pod down without leaving its namespace or veth', async () => {
    const n = net as PodNetwork;
    const sandbox = await n.setup('uid-2');
    const netns = netnsOf(sandbox.netnsPath);
    const veth = (await hostVethOf(n.bridge, netns)) as string;
    await n.teardown('uid-2');
    await n.teardown('uid-2');
    const after = await hostObjects();
    expect(after.netns).not.toContain(netns);
    expect(after.veths).not.toContain(veth);
  });

  it('sweeps every sandbox but the kept ones, including ones it has no record of', async () => {
    const n = net as PodNetwork;
    const kept = await n.setup('uid-1');
    const doomed = await Promise.all(['uid-5', 'uid-6'].map((uid) => n.setup(uid)));
    for (const s of [kept, ...doomed]) madeVeths.add((await hostVethOf(n.bridge, netnsOf(s.netnsPath))) as string);
    // A namespace and a veth the network has no record of, as a crash before saving the allocation leaves them.
    const strayNetns = `${n.bridge}-0123456789ab`;
    await run('ip', ['netns', 'add', strayNetns]);
    const strayVeth = 'bv0123456789ab';
    await run('ip', ['link', 'add', 'name', strayVeth, 'master', n.bridge, 'type', 'veth', 'peer', 'name', `${n.bridge}p`]);

    // uid-3, uid-4 (from before), uid-5, uid-6, the stray namespace and the stray veth.
    expect(await n.sweep(new Set(['uid-1']))).toBe(6);
    const after = await hostObjects();
    expect(after.netns.filter((name) => name.startsWith(`${n.bridge}-`))).toEqual([netnsOf(kept.netnsPath)]);
    const ports = JSON.parse(await run('ip', ['-j', 'link', 'show', 'master', n.bridge])) as Array<{ ifname: string }>;
    expect(ports.map((p) => p.ifname)).toEqual([await hostVethOf(n.bridge, netnsOf(kept.netnsPath))]);
    expect(await n.sweep(new Set(['uid-1']))).toBe(0);
    expect(await n.setup('uid-1')).toEqual(kept);
  });

  it('refuses a pod CIDR that overlaps a route, and a changed pod CIDR, changing nothing', async () => {
    const n = net as PodNetwork;
    const objects = await hostObjects();
    const elsewhere = `${stateDir}-other`;
    const overlap = startPodNetwork({ stateDir: elsewhere, podCidr: n.podCidr });
    await expect(overlap).rejects.toThrow(`pod CIDR ${n.podCidr} overlaps the route ${n.podCidr} dev ${n.bridge}; pick another with --pod-cidr`);
    await expect(startPodNetwork({ stateDir: elsewhere, podCidr: '192.0.0.0/16' })).rejects.toThrow(
      'pod CIDR 192.0.0.0/16 overlaps the route 192.0.2.0/24 dev eth0; pick another with --pod-cidr',
    );
    const changed = await startPodNetwork({ stateDir: stateDir as string, podCidr: '10.243.0.0/16' }).catch((err) => err);
    expect(changed).toBeInstanceOf(NetworkError);
    expect(changed).toMatchObject({ code: 'CIDR_CHANGED' });
    expect(changed.message).toContain(`--pod-cidr changed from ${n.podCidr} to 10.243.0.0/16`);
    // Only this network's objects are compared: a test file running in parallel makes and removes its own.
    const after = await hostObjects();
    expect(ours(after, n.bridge)).toEqual(ours(objects, n.bridge));
    const refusedBridge = `bt${createHash('sha256').update(elsewhere).digest('hex').slice(0, 8)}`;
    expect([...after.bridges, ...after.tables.map((t) => t.split(' ').pop())]).not.toContain(refusedBridge);
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('destroys everything it made', async () => {
    const n = net as PodNetwork;
    await n.setup('uid-7');
    await n.destroy();
    net = undefined;
    const after = await hostObjects();
    expect(ours(before, n.bridge)).toEqual([]);
    expect(ours(after, n.bridge)).toEqual([]);
    for (const veth of madeVeths) expect(after.veths).not.toContain(veth);
    expect((await status('ip', ['link', 'show', 'dev', n.bridge])).code).not.toBe(0);
  });
});
