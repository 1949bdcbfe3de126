import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodNetwork, PodSandbox } from '../../runtime/network/index.js';
import { podMac } from '../../runtime/network/port-sources.js';
import { routeDev, run, spawnInNetns, startTestNetwork, status, stop } from './test-network.js';
import { retry } from '../support/wait.js';

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '0.0.0.0', () => resolve((server.address() as AddressInfo).port)));
}

function netnsName(sandbox: PodSandbox): string {
  return sandbox.netnsPath.split('/').pop() as string;
}

describe('pod network traffic', () => {
  let net: PodNetwork | undefined;
  let stateDir: string | undefined;
  let webRoot: string | undefined;
  const closed = createServer((_req, res) => res.end('host service'));
  const opened = createServer((_req, res) => res.end('open to pods'));
  let closedPort = 0;
  let openedPort = 0;
  const pods: Array<{ sandbox: PodSandbox; httpd?: ChildProcess }> = [];
  let ipForwardBefore = '';

  beforeAll(async () => {
    ipForwardBefore = await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8');
    closedPort = await listen(closed);
    openedPort = await listen(opened);
    ({ net, stateDir } = await startTestNetwork({ hostPortsOpenToPods: [{ protocol: 'tcp', port: openedPort }] }));
    webRoot = await mkdtemp(join(tmpdir(), 'baton-net-www-'));
  });

  afterAll(async () => {
    for (const pod of pods) await stop(pod.httpd);
    await net?.destroy();
    closed.close();
    opened.close();
    for (const dir of [stateDir, webRoot]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('routes every address of the pod CIDR to the bridge, never to eth0', async () => {
    const n = net as PodNetwork;
    const [base] = n.podCidr.split('/');
    const prefix = base.split('.').slice(0, 3).join('.');
    expect(n.podCidr).toMatch(/\/24$/);
    for (let host = 0; host < 256; host++) {
      const address = `${prefix}.${host}`;
      const dev = await routeDev(address);
      // The gateway is the host's own address on the bridge, so the kernel answers it on lo.
      if (address === n.gateway) expect(dev).toBe('lo');
      else expect(dev, address).toBe(n.bridge);
    }
  });

  it('gives two pods distinct addresses; each serves port 80, reached by the host and by the other pod', async () => {
    const n = net as PodNetwork;
    for (const uid of ['pod-a', 'pod-b']) pods.push({ sandbox: await n.setup(uid) });
    const [a, b] = pods.map((p) => p.sandbox);
    expect(a.ip).not.toBe(b.ip);
    expect(a.netnsPath).not.toBe(b.netnsPath);
    // The check comes before any packet: both addresses go to the bridge, and from inside a pod the other one goes out eth0 onto it.
    for (const { sandbox } of pods) expect(await routeDev(sandbox.ip)).toBe(n.bridge);
    expect(await routeDev(b.ip, netnsName(a))).toBe('eth0');
    expect(await routeDev(a.ip, netnsName(b))).toBe('eth0');

    for (const pod of pods) {
      await writeFile(join(webRoot as string, 'index.html'), 'hello from a pod\n');
      pod.httpd = spawnInNetns(netnsName(pod.sandbox), ['/bin/busybox', 'httpd', '-f', '-p', '80', '-h', webRoot as string]);
    }
    for (const { sandbox } of pods) {
      expect(await retry(`httpd in ${sandbox.ip} to answer`, () => httpGet(`http://${sandbox.ip}:80/`), { timeoutMs: 5_000, intervalMs: 100 })).toBe('hello from a pod\n');
    }
    const aToB = await status('ip', ['netns', 'exec', netnsName(a), 'timeout', '5', '/bin/busybox', 'wget', '-qO-', `http://${b.ip}/`]);
    const bToA = await status('ip', ['netns', 'exec', netnsName(b), 'timeout', '5', '/bin/busybox', 'wget', '-qO-', `http://${a.ip}/`]);
    expect(aToB).toEqual({ code: 0, output: 'hello from a pod\n' });
    expect(bToA).toEqual({ code: 0, output: 'hello from a pod\n' });
  });

  it('keeps the host closed to pods, but for the ports opened to them', async () => {
    const n = net as PodNetwork;
    const pod = pods[0]?.sandbox ?? (await n.setup('pod-a'));
    expect(await routeDev(n.gateway, netnsName(pod))).toBe('eth0');
    // The host itself reaches both servers on the gateway address.
    expect(await httpGet(`http://${n.gateway}:${closedPort}/`)).toBe('host service');

    const wget = (port: number) =>
      status('ip', ['netns', 'exec', netnsName(pod), 'timeout', '5', '/bin/busybox', 'wget', '-qO-', `http://${n.gateway}:${port}/`]);
    const refused = await wget(closedPort);
    expect(refused.code).not.toBe(0);
    expect(refused.output).not.toContain('host service');
    expect(await wget(openedPort)).toEqual({ code: 0, output: 'open to pods' });
  });

  it('drops whatever would cross between the bridge and another interface, and leaves ip_forward alone', async () => {
    const n = net as PodNetwork;
    const ruleset = JSON.parse(await run('nft', ['-j', 'list', 'table', 'inet', n.bridge])) as {
      nftables: Array<Record<string, any>>;
    };
    const forward = ruleset.nftables.find((o) => o.chain?.name === 'forward')?.chain;
    expect(forward).toMatchObject({ type: 'filter', hook: 'forward', policy: 'accept' });
    const forwardRules = ruleset.nftables.filter((o) => o.rule?.chain === 'forward').map((o) => o.rule.expr);
    const match = (key: string, op: string) => ({ match: { op, left: { meta: { key } }, right: n.bridge } });
    expect(forwardRules).toContainEqual([match('iifname', '=='), match('oifname', '!='), { drop: null }]);
    expect(forwardRules).toContainEqual([match('oifname', '=='), match('iifname', '!='), { drop: null }]);
    expect(await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(ipForwardBefore);
  });

  it("drops what a pod sends as another pod: another's address, another's MAC, ARP naming another's address", async () => {
    const n = net as PodNetwork;
    const victim = pods[1]!.sandbox;
    const attacker = await n.setup('pod-spoofer');
    const ns = netnsName(attacker);
    const prefix = n.podCidr.split('/')[1];
    const inPod = (...args: string[]) => run('ip', ['netns', 'exec', ns, ...args]);
    const wget = () => status('ip', ['netns', 'exec', ns, 'timeout', '5', '/bin/busybox', 'wget', '-qO-', `http://${n.gateway}:${openedPort}/`]);
    const hostNeighbour = async (ip: string) => (JSON.parse(await run('ip', ['-j', 'neigh', 'show', ip, 'dev', n.bridge])) as Array<{ lladdr?: string }>)[0]?.lladdr;
    const ports = async () => run('nft', ['list', 'set', 'bridge', n.bridge, 'pod_sources']);
    try {
      // As itself it is served. (The test runs as root in the pod's namespace: more than a pod may, which the bridge must not care about.)
      expect(await wget()).toEqual({ code: 0, output: 'open to pods' });
      expect(await ports()).toContain(attacker.ip);
      // The host knows the victim by the victim's MAC.
      await httpGet(`http://${victim.ip}:80/`);
      expect(await hostNeighbour(victim.ip)).toBe(podMac(victim.ip));

      // Another pod's address on its own port.
      await inPod('ip', 'addr', 'del', `${attacker.ip}/${prefix}`, 'dev', 'eth0');
      await inPod('ip', 'addr', 'add', `${victim.ip}/${prefix}`, 'dev', 'eth0');
      await inPod('ip', 'route', 'replace', 'default', 'via', n.gateway, 'dev', 'eth0');
      const asVictim = await wget();
      expect(asVictim.code).not.toBe(0);
      expect(asVictim.output).not.toContain('open to pods');
      // ARP saying the victim's address is at the attacker's MAC does not reach the host.
      await status('ip', ['netns', 'exec', ns, '/bin/busybox', 'arping', '-U', '-c', '2', '-s', victim.ip, '-I', 'eth0', n.gateway]);
      await status('ip', ['netns', 'exec', ns, '/bin/busybox', 'arping', '-c', '2', '-w', '2', '-s', victim.ip, '-I', 'eth0', n.gateway]);
      expect(await hostNeighbour(victim.ip)).not.toBe(podMac(attacker.ip));

      // Its own address again, with the victim's MAC.
      await inPod('ip', 'addr', 'del', `${victim.ip}/${prefix}`, 'dev', 'eth0');
      await inPod('ip', 'addr', 'add', `${attacker.ip}/${prefix}`, 'dev', 'eth0');
      await inPod('ip', 'route', 'replace', 'default', 'via', n.gateway, 'dev', 'eth0');
      expect(await wget()).toEqual({ code: 0, output: 'open to pods' });
      await inPod('ip', 'link', 'set', 'dev', 'eth0', 'address', podMac(victim.ip));
      const withVictimMac = await wget();
      expect(withVictimMac.code).not.toBe(0);
      // The victim is still served as itself.
      expect(await httpGet(`http://${victim.ip}:80/`)).toBe('hello from a pod\n');
    } finally {
      await n.teardown('pod-spoofer');
    }
    // A pod gone takes its port's entries with it.
    expect(await ports()).not.toContain(attacker.ip);
  });
});
