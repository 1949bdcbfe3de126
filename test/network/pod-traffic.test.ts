import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodNetwork, PodSandbox } from '../../runtime/network/index.js';
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
});
