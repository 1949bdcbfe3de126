import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterDns, type RunningClusterDns } from '../../runtime/dns/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { createNamespace, failureOf, queryTcp, queryUdp, silentLogger, startFakeUpstream, uniqueNamespace, type FakeUpstream } from './dns-harness.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let upstream: FakeUpstream;
let dns: RunningClusterDns;
let resolver: Resolver;

beforeAll(async () => {
  cluster = await openLocalCluster();
  upstream = await startFakeUpstream({ 'example.test': ['192.0.2.10'] });
  dns = await startClusterDns({ cluster, host: '127.0.0.1', port: 0, upstreams: [upstream.address], logger: silentLogger });
  resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dns.port}`]);
});

afterAll(async () => {
  await dns?.stop();
  await upstream?.close();
  await cluster?.close();
});

function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

async function setEndpoints(ns: string, name: string, subsets: unknown[]): Promise<void> {
  const endpoints: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns }, subsets };
  try {
    const current = await cluster.get(resources.endpoints, ns, name);
    await cluster.update(resources.endpoints, { ...endpoints, metadata: current.metadata });
  } catch {
    await cluster.create(resources.endpoints, endpoints);
  }
}

async function runningPod(ns: string, name: string, spec: Record<string, unknown>, podIP: string): Promise<void> {
  const pod = await cluster.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec },
  });
  pod.status = { phase: 'Running', podIP, conditions: [{ type: 'Ready', status: 'True' }] };
  await cluster.update(resources.pods, pod, { status: true });
}

describe('cluster DNS on a socket', () => {
  it('answers a Service’s A, SRV and PTR records from the store, and forgets it when deleted', async () => {
    const ns = uniqueNamespace('dns-svc');
    await createNamespace(cluster, ns);
    const created = await cluster.create(resources.services, service(ns, 'web', { ports: [{ name: 'http', port: 80 }] }));
    const ip = String(created.spec.clusterIP);
    const name = `web.${ns}.svc.cluster.local`;

    expect(await waitFor('the A record', () => resolver.resolve4(name))).toEqual([ip]);
    expect(await resolver.resolveSrv(`_http._tcp.${name}`)).toEqual([{ name, port: 80, priority: 0, weight: 100 }]);
    expect(await resolver.reverse(ip)).toEqual([name]);
    expect(await failureOf(resolver.resolve6(name))).toBe('ENODATA');
    expect(await failureOf(resolver.resolve4(`nothing.${ns}.svc.cluster.local`))).toBe('ENOTFOUND');

    await cluster.delete(resources.services, ns, 'web');
    await waitFor('NXDOMAIN after the delete', async () => (await failureOf(resolver.resolve4(name))) === 'ENOTFOUND');
  });

  it('answers a headless Service from its Endpoints and a pod by hostname and subdomain', async () => {
    const ns = uniqueNamespace('dns-headless');
    await createNamespace(cluster, ns);
    await cluster.create(resources.services, service(ns, 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
    await setEndpoints(ns, 'db', [
      { addresses: [{ ip: '127.1.7.5', hostname: 'db-0' }], notReadyAddresses: [{ ip: '127.1.7.6', hostname: 'db-1' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
    ]);
    const db = `db.${ns}.svc.cluster.local`;

    expect(await waitFor('the ready endpoint', () => resolver.resolve4(db))).toEqual(['127.1.7.5']);
    expect(await resolver.resolve4(`db-0.${db}`)).toEqual(['127.1.7.5']);
    expect(await resolver.resolveSrv(`_pg._tcp.${db}`)).toEqual([{ name: `db-0.${db}`, port: 5432, priority: 0, weight: 100 }]);
    expect(await resolver.reverse('127.1.7.5')).toEqual([`db-0.${db}`]);

    await setEndpoints(ns, 'db', [
      { addresses: [{ ip: '127.1.7.5', hostname: 'db-0' }, { ip: '127.1.7.6', hostname: 'db-1' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
    ]);
    expect(await waitFor('both endpoints', async () => ((await resolver.resolve4(db)).length === 2 ? resolver.resolve4(db) : false))).toEqual(['127.1.7.5', '127.1.7.6']);

    await cluster.create(resources.services, service(ns, 'cache', { clusterIP: 'None' }));
    await runningPod(ns, 'cache-0', { hostname: 'cache-0', subdomain: 'cache' }, '127.1.7.9');
    expect(await waitFor('the pod’s name', () => resolver.resolve4(`cache-0.cache.${ns}.svc.cluster.local`))).toEqual(['127.1.7.9']);
    expect(await resolver.resolve4(`127-1-7-9.${ns}.pod.cluster.local`)).toEqual(['127.1.7.9']);
  });

  it('truncates a big UDP answer and gives it whole over TCP', async () => {
    const ns = uniqueNamespace('dns-big');
    await createNamespace(cluster, ns);
    await cluster.create(resources.services, service(ns, 'many', { clusterIP: 'None' }));
    const ips = Array.from({ length: 60 }, (_, i) => `127.1.8.${i + 1}`);
    await setEndpoints(ns, 'many', [{ addresses: ips.map((ip) => ({ ip })) }]);
    const name = `many.${ns}.svc.cluster.local`;

    // node's resolver retries over TCP when it sees TC.
    expect((await waitFor('60 addresses', async () => ((await resolver.resolve4(name)).length === 60 ? resolver.resolve4(name) : false))).sort()).toEqual([...ips].sort());
    const question = { type: 'A' as const, name, class: 'IN' as const };
    const overUdp = await queryUdp(dns.port, { type: 'query', id: 41, flags: 0x100, questions: [question] });
    expect([overUdp.id, overUdp.flag_tc, overUdp.answers?.length]).toEqual([41, true, 0]);
    const overTcp = await queryTcp(dns.port, { type: 'query', id: 42, flags: 0x100, questions: [question] });
    expect([overTcp.id, overTcp.flag_tc, overTcp.flag_aa, overTcp.answers?.length]).toEqual([42, false, true, 60]);
  });

  it('forwards names outside the cluster domain, and follows an ExternalName out to them', async () => {
    const ns = uniqueNamespace('dns-ext');
    await createNamespace(cluster, ns);
    await cluster.create(resources.services, service(ns, 'ext', { type: 'ExternalName', externalName: 'example.test' }));

    expect(await resolver.resolve4('example.test')).toEqual(['192.0.2.10']);
    expect(await waitFor('the ExternalName', () => resolver.resolve4(`ext.${ns}.svc.cluster.local`))).toEqual(['192.0.2.10']);
    expect(await resolver.resolveCname(`ext.${ns}.svc.cluster.local`)).toEqual(['example.test']);
    expect(await failureOf(resolver.resolve4('missing.test'))).toBe('ENOTFOUND');
  });
});
