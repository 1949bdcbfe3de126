import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type RunningClusterDns } from '../../runtime/dns/index.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { failureOf, silentLogger, startFakeUpstream, type FakeUpstream } from './dns-harness.js';

let cluster: LocalCluster;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  cluster = await openLocalCluster();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await cluster?.close();
});

async function upstreamWith(records: Record<string, string[]>, options: Parameters<typeof startFakeUpstream>[1] = {}): Promise<FakeUpstream> {
  const upstream = await startFakeUpstream(records, options);
  cleanups.push(() => upstream.close());
  return upstream;
}

/** A cluster DNS server forwarding to `upstreams` only (never the machine's resolvers), and a resolver asking it. */
async function dnsWith(upstreams: string[], forwardTimeoutMs = 1000): Promise<Resolver> {
  const dns: RunningClusterDns = await startClusterDns({ cluster, host: '127.0.0.1', port: 0, upstreams, forwardTimeoutMs, logger: silentLogger });
  cleanups.push(() => dns.stop());
  const resolver = new Resolver({ timeout: 4000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dns.port}`]);
  return resolver;
}

/** A loopback port with nothing behind it. */
async function closedPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('forwarding to upstream servers', () => {
  it('asks again over TCP when the upstream’s UDP answer is truncated', async () => {
    const ips = Array.from({ length: 10 }, (_, i) => `192.0.2.${i + 1}`);
    const upstream = await upstreamWith({ 'big.test': ips }, { udpLimit: 2 });
    const resolver = await dnsWith([upstream.address]);
    expect((await resolver.resolve4('big.test')).sort()).toEqual([...ips].sort());
    expect(upstream.queries).toEqual(['udp big.test', 'tcp big.test']);
  });

  it('answers SERVFAIL when the only upstream is down', async () => {
    const resolver = await dnsWith([`127.0.0.1:${await closedPort()}`]);
    expect(await failureOf(resolver.resolve4('example.test'))).toBe('ESERVFAIL');
  });

  it('answers SERVFAIL when no upstream answers in time', async () => {
    const silent = await upstreamWith({}, { silent: true });
    const resolver = await dnsWith([silent.address], 500);
    expect(await failureOf(resolver.resolve4('example.test'))).toBe('ESERVFAIL');
    expect(silent.queries).toEqual(['udp example.test']);
  });

  it('moves on to the next upstream when one does not answer', async () => {
    const silent = await upstreamWith({}, { silent: true });
    const working = await upstreamWith({ 'example.test': ['192.0.2.10'] });
    const resolver = await dnsWith([silent.address, working.address]);
    expect(await resolver.resolve4('example.test')).toEqual(['192.0.2.10']);
    expect([silent.queries, working.queries]).toEqual([['udp example.test'], ['udp example.test']]);
  });

  it('passes an upstream NXDOMAIN through', async () => {
    const upstream = await upstreamWith({});
    const resolver = await dnsWith([upstream.address]);
    expect(await failureOf(resolver.resolve4('missing.test'))).toBe('ENOTFOUND');
  });
});
