import type { Answer, Question } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { answerQuery, CLUSTER_TTL, type LocalAnswer } from '../../../../runtime/dns/answer-query.js';
import { DnsTable } from '../../../../runtime/dns/dns-table.js';
import { serviceEntry } from '../../../../runtime/dns/service-entry.js';

const ZONE = 'cluster.local';

function service(name: string, spec: Record<string, unknown>, namespace = 'shop'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

function endpoints(name: string, subsets: unknown[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'shop' }, subsets };
}

function pod(name: string, spec: Record<string, unknown>, ip: string, ready = true): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', uid: name },
    spec,
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const pgSubset = {
  addresses: [{ ip: '10.0.0.5', hostname: 'db-0' }, { ip: '10.0.0.6' }],
  notReadyAddresses: [{ ip: '10.0.0.7', hostname: 'db-2' }],
  ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
};

function table(): DnsTable {
  const t = new DnsTable();
  t.setNamespaces(['shop', 'kube-system']);
  const put = (svc: KubeObject, ep?: KubeObject, pods: KubeObject[] = []): void =>
    t.setService(`${svc.metadata.namespace}/${svc.metadata.name}`, serviceEntry(svc, ep, pods));
  put(service('kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }, 'kube-system'));
  put(service('web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }));
  put(service('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }), endpoints('db', [pgSubset]));
  put(service('pub', { clusterIP: 'None', publishNotReadyAddresses: true }), endpoints('pub', [{ addresses: [{ ip: '10.0.1.5' }], notReadyAddresses: [{ ip: '10.0.1.7', hostname: 'pub-1' }] }]));
  put(service('cache', { clusterIP: 'None' }), undefined, [
    pod('cache-0', { hostname: 'cache-0', subdomain: 'cache' }, '10.0.0.9'),
    pod('cache-1', { hostname: 'cache-1', subdomain: 'cache' }, '10.0.0.10', false),
  ]);
  put(service('nobody', { clusterIP: 'None' }), endpoints('nobody', []));
  put(service('ext', { type: 'ExternalName', externalName: 'www.Example.com.' }));
  put(service('alias', { type: 'ExternalName', externalName: 'web.shop.svc.cluster.local' }));
  put(service('loop-a', { type: 'ExternalName', externalName: 'loop-b.shop.svc.cluster.local' }));
  put(service('loop-b', { type: 'ExternalName', externalName: 'loop-a.shop.svc.cluster.local' }));
  return t;
}

/** `name type data` per record, SRV as `priority weight port target`, SOA as just `SOA`. */
function show(records: Answer[]): string[] {
  return records.map((r) => {
    const data = (r as { data?: unknown }).data;
    if (r.type === 'SRV') {
      const d = data as { priority: number; weight: number; port: number; target: string };
      return `${r.name} SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
    }
    if (r.type === 'SOA') return `${r.name} SOA`;
    if (r.type === 'TXT') return `${r.name} TXT ${(data as string[]).join(' ')}`;
    return `${r.name} ${r.type} ${String(data)}`;
  });
}

function ask(name: string, type: Question['type'], t = table()): LocalAnswer {
  const outcome = answerQuery({ name, type, class: 'IN' }, t, ZONE);
  if (outcome.forward) throw new Error(`${name} ${type} was forwarded`);
  return outcome;
}

const NODATA = { rcode: 'NOERROR', answers: [], authorities: ['cluster.local SOA'] };
const NXDOMAIN = { rcode: 'NXDOMAIN', answers: [], authorities: ['cluster.local SOA'] };

describe('answerQuery', () => {
  const cases: Array<[string, string, Question['type'], { rcode: string; answers: string[]; authorities?: string[]; additionals?: string[]; chase?: string }]> = [
    ['a ClusterIP Service', 'web.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['web.shop.svc.cluster.local A 10.96.0.20'] }],
    ['the question’s spelling', 'WEB.Shop.svc.Cluster.Local', 'A', { rcode: 'NOERROR', answers: ['WEB.Shop.svc.Cluster.Local A 10.96.0.20'] }],
    ['AAAA of an IPv4-only name', 'web.shop.svc.cluster.local', 'AAAA', NODATA],
    ['a type the name lacks', 'web.shop.svc.cluster.local', 'MX', NODATA],
    ['an unknown Service', 'missing.shop.svc.cluster.local', 'A', NXDOMAIN],
    ['an unknown name in the zone', 'nothing.cluster.local', 'A', NXDOMAIN],
    ['a name below a ClusterIP Service', 'x.web.shop.svc.cluster.local', 'A', NXDOMAIN],
    ['a headless Service: ready endpoints only', 'db.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['db.shop.svc.cluster.local A 10.0.0.5', 'db.shop.svc.cluster.local A 10.0.0.6'] }],
    ['an endpoint by hostname', 'db-0.db.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['db-0.db.shop.svc.cluster.local A 10.0.0.5'] }],
    ['an endpoint without hostname by its dashed address', '10-0-0-6.db.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['10-0-0-6.db.shop.svc.cluster.local A 10.0.0.6'] }],
    ['a not-ready endpoint', 'db-2.db.shop.svc.cluster.local', 'A', NXDOMAIN],
    ['not-ready endpoints with publishNotReadyAddresses', 'pub.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['pub.shop.svc.cluster.local A 10.0.1.5', 'pub.shop.svc.cluster.local A 10.0.1.7'] }],
    ['a pod’s hostname.subdomain', 'cache-0.cache.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['cache-0.cache.shop.svc.cluster.local A 10.0.0.9'] }],
    ['a not-ready pod’s hostname.subdomain', 'cache-1.cache.shop.svc.cluster.local', 'A', NXDOMAIN],
    ['a headless Service whose only names are pods’', 'cache.shop.svc.cluster.local', 'A', NODATA],
    ['a headless Service without ready endpoints', 'nobody.shop.svc.cluster.local', 'A', NXDOMAIN],
    ['SRV of a ClusterIP port', '_http._tcp.web.shop.svc.cluster.local', 'SRV', {
      rcode: 'NOERROR',
      answers: ['_http._tcp.web.shop.svc.cluster.local SRV 0 100 80 web.shop.svc.cluster.local'],
      additionals: ['web.shop.svc.cluster.local A 10.96.0.20'],
    }],
    ['SRV of a UDP port', '_dns._udp.web.shop.svc.cluster.local', 'SRV', { rcode: 'NOERROR', answers: ['_dns._udp.web.shop.svc.cluster.local SRV 0 100 53 web.shop.svc.cluster.local'], additionals: ['web.shop.svc.cluster.local A 10.96.0.20'] }],
    ['SRV with the wrong protocol', '_http._udp.web.shop.svc.cluster.local', 'SRV', NXDOMAIN],
    ['the protocol label above SRV records', '_tcp.web.shop.svc.cluster.local', 'SRV', NODATA],
    ['SRV of a headless Service: one per ready endpoint', '_pg._tcp.db.shop.svc.cluster.local', 'SRV', {
      rcode: 'NOERROR',
      answers: ['_pg._tcp.db.shop.svc.cluster.local SRV 0 50 5432 db-0.db.shop.svc.cluster.local', '_pg._tcp.db.shop.svc.cluster.local SRV 0 50 5432 10-0-0-6.db.shop.svc.cluster.local'],
      additionals: ['db-0.db.shop.svc.cluster.local A 10.0.0.5', '10-0-0-6.db.shop.svc.cluster.local A 10.0.0.6'],
    }],
    ['an ExternalName out of the cluster', 'ext.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['ext.shop.svc.cluster.local CNAME www.example.com'], chase: 'www.example.com' }],
    ['an ExternalName asked for its CNAME', 'ext.shop.svc.cluster.local', 'CNAME', { rcode: 'NOERROR', answers: ['ext.shop.svc.cluster.local CNAME www.example.com'] }],
    ['an ExternalName into the cluster is followed', 'alias.shop.svc.cluster.local', 'A', { rcode: 'NOERROR', answers: ['alias.shop.svc.cluster.local CNAME web.shop.svc.cluster.local', 'web.shop.svc.cluster.local A 10.96.0.20'] }],
    ['a loop of ExternalNames', 'loop-a.shop.svc.cluster.local', 'A', {
      rcode: 'SERVFAIL',
      answers: Array.from({ length: 9 }, (_, i) => (i % 2 ? 'loop-b.shop.svc.cluster.local CNAME loop-a.shop.svc.cluster.local' : 'loop-a.shop.svc.cluster.local CNAME loop-b.shop.svc.cluster.local')),
    }],
    ['a pod name by address', '10-1-2-3.shop.pod.cluster.local', 'A', { rcode: 'NOERROR', answers: ['10-1-2-3.shop.pod.cluster.local A 10.1.2.3'] }],
    ['a pod name in a missing namespace', '10-1-2-3.nowhere.pod.cluster.local', 'A', NXDOMAIN],
    ['a pod name that is no address', 'web-1.shop.pod.cluster.local', 'A', NXDOMAIN],
    ['a namespace under pod', 'shop.pod.cluster.local', 'A', NODATA],
    ['a namespace under svc', 'shop.svc.cluster.local', 'A', NODATA],
    ['a missing namespace under svc', 'nowhere.svc.cluster.local', 'A', NXDOMAIN],
    ['svc itself', 'svc.cluster.local', 'A', NODATA],
    ['the zone’s SOA', 'cluster.local', 'SOA', { rcode: 'NOERROR', answers: ['cluster.local SOA'] }],
    ['the zone’s NS, with the kube-dns address', 'cluster.local', 'NS', { rcode: 'NOERROR', answers: ['cluster.local NS ns.dns.cluster.local'], additionals: ['ns.dns.cluster.local A 10.96.0.10'] }],
    ['the schema version', 'dns-version.cluster.local', 'TXT', { rcode: 'NOERROR', answers: ['dns-version.cluster.local TXT 1.1.0'] }],
    ['PTR of a ClusterIP', '20.0.96.10.in-addr.arpa', 'PTR', { rcode: 'NOERROR', answers: ['20.0.96.10.in-addr.arpa PTR web.shop.svc.cluster.local'] }],
    ['PTR of a headless endpoint with hostname', '5.0.0.10.in-addr.arpa', 'PTR', { rcode: 'NOERROR', answers: ['5.0.0.10.in-addr.arpa PTR db-0.db.shop.svc.cluster.local'] }],
    ['PTR of a headless endpoint without hostname', '6.0.0.10.in-addr.arpa', 'PTR', { rcode: 'NOERROR', answers: ['6.0.0.10.in-addr.arpa PTR 10-0-0-6.db.shop.svc.cluster.local'] }],
    ['PTR of a published not-ready endpoint', '7.1.0.10.in-addr.arpa', 'PTR', { rcode: 'NOERROR', answers: ['7.1.0.10.in-addr.arpa PTR pub-1.pub.shop.svc.cluster.local'] }],
    ['PTR of a pod’s hostname.subdomain', '9.0.0.10.in-addr.arpa', 'PTR', { rcode: 'NOERROR', answers: ['9.0.0.10.in-addr.arpa PTR cache-0.cache.shop.svc.cluster.local'] }],
  ];

  it.each(cases)('%s: %s %s', (_what, name, type, expected) => {
    const answer = ask(name, type);
    expect({
      rcode: answer.rcode,
      answers: show(answer.answers),
      authorities: show(answer.authorities),
      additionals: show(answer.additionals),
      chase: answer.chase,
    }).toEqual({ authorities: [], additionals: [], chase: undefined, ...expected });
  });

  it('gives every cluster record a TTL of 5 s and a negative TTL of 5 s', () => {
    expect((ask('web.shop.svc.cluster.local', 'A').answers[0] as { ttl?: number }).ttl).toBe(CLUSTER_TTL);
    const soa = ask('missing.shop.svc.cluster.local', 'A').authorities[0] as { ttl: number; data: { minimum: number } };
    expect([soa.ttl, soa.data.minimum]).toEqual([5, 5]);
  });

  it.each([
    ['a name outside the cluster', 'example.com', 'A', 'IN'],
    ['PTR of an address the cluster does not know', '1.1.168.192.in-addr.arpa', 'PTR', 'IN'],
    ['PTR of a not-ready endpoint', '7.0.0.10.in-addr.arpa', 'PTR', 'IN'],
    ['a partial reverse name', '10.in-addr.arpa', 'PTR', 'IN'],
    ['another class', 'web.shop.svc.cluster.local', 'A', 'CH'],
  ] as const)('forwards %s', (_what, name, type, klass) => {
    const t = table();
    expect(answerQuery({ name, type, class: klass }, t, ZONE)).toEqual({ forward: true });
  });

  it('forgets the reverse names of a Service that is gone', () => {
    const t = table();
    t.setService('shop/web', undefined);
    expect(answerQuery({ name: '20.0.96.10.in-addr.arpa', type: 'PTR', class: 'IN' }, t, ZONE)).toEqual({ forward: true });
    expect(ask('web.shop.svc.cluster.local', 'A', t).rcode).toBe('NXDOMAIN');
  });

  it('answers under another cluster domain', () => {
    const outcome = answerQuery({ name: 'web.shop.svc.corp.internal', type: 'A', class: 'IN' }, table(), 'corp.internal');
    expect(outcome.forward || show(outcome.answers)).toEqual(['web.shop.svc.corp.internal A 10.96.0.20']);
    expect(answerQuery({ name: 'web.shop.svc.cluster.local', type: 'A', class: 'IN' }, table(), 'corp.internal')).toEqual({ forward: true });
  });
});
