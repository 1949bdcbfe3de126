import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { podDnsConfig, podResolvConf } from '../../../../runtime/dns/pod-resolv-conf.js';

const HOST = ['# written by the host', 'nameserver 192.0.2.53', 'nameserver 192.0.2.54', 'search corp.example. lab.example', 'options edns0 ndots:2', ''].join('\n');
const OPTIONS = { nameserver: '10.96.0.10', clusterDomain: 'cluster.local', hostResolvConf: HOST };

function pod(spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: [], ...spec } };
}

const CLUSTER_FIRST = 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n';
const HOST_FILE = 'search corp.example lab.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 ndots:2\n';

describe('podResolvConf', () => {
  it.each([
    ['ClusterFirst, the default', {}, CLUSTER_FIRST],
    ['ClusterFirst', { dnsPolicy: 'ClusterFirst' }, CLUSTER_FIRST],
    ['Default: the host’s settings', { dnsPolicy: 'Default' }, HOST_FILE],
    ['ClusterFirst on the host network falls back to Default', { dnsPolicy: 'ClusterFirst', hostNetwork: true }, HOST_FILE],
    ['ClusterFirstWithHostNet on the host network', { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }, CLUSTER_FIRST],
    ['None: only dnsConfig', { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } }, 'search a.example\nnameserver 1.1.1.1\noptions ndots:1 rotate\n'],
    ['None without dnsConfig', { dnsPolicy: 'None' }, ''],
    [
      'ClusterFirst merged with dnsConfig: duplicates dropped, options overridden in place',
      { dnsConfig: { nameservers: ['10.96.0.10', '192.0.2.1'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example\nnameserver 10.96.0.10\nnameserver 192.0.2.1\noptions ndots:2 edns0\n',
    ],
    [
      'Default merged with dnsConfig',
      { dnsPolicy: 'Default', dnsConfig: { searches: ['lab.example', 'x.example'], options: [{ name: 'edns0' }, { name: 'timeout', value: '1' }] } },
      'search corp.example lab.example x.example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\noptions edns0 ndots:2 timeout:1\n',
    ],
  ])('%s', (_what, spec, expected) => {
    expect(podResolvConf(pod(spec), OPTIONS)).toBe(expected);
  });

  it('keeps 3 nameservers and says which', () => {
    const config = podDnsConfig(pod({ dnsConfig: { nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3'] } }), OPTIONS);
    expect(config.nameservers).toEqual(['10.96.0.10', '192.0.2.1', '192.0.2.2']);
    expect(config.warnings).toEqual(['Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 192.0.2.1 192.0.2.2']);
  });

  it('keeps 32 search domains', () => {
    const searches = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    const config = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'], searches } }), OPTIONS);
    expect(config.searches).toEqual(searches.slice(0, 32));
    expect(config.warnings[0]).toMatch(/^Search Line limits were exceeded, some search paths have been omitted, the applied search line is: d0.example d1.example/);
  });

  it('drops search domains over 253 characters and cuts the list to 2048 characters from the end', () => {
    const long = `${'a'.repeat(250)}.example`;
    const big = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}${'b'.repeat(196)}.example`);
    const config = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'], searches: [long, ...big] } }), OPTIONS);
    expect(config.searches.includes(long)).toBe(false);
    expect(config.searches.join(' ').length).toBeLessThanOrEqual(2048);
    expect(config.searches).toEqual(big.slice(0, config.searches.length));
    expect(config.searches.length).toBe(9);
  });

  it('falls back to Default when no cluster DNS server is known, as the kubelet does', () => {
    const config = podDnsConfig(pod(), { ...OPTIONS, nameserver: '' });
    expect(config.nameservers).toEqual(['192.0.2.53', '192.0.2.54']);
    expect(config.warnings[0]).toContain('Falling back to "Default" policy');
  });

  it('takes the last search and options lines of the host file', () => {
    const host = 'search a.example\nsearch b.example\noptions rotate\noptions attempts:2\nnameserver 192.0.2.1\n';
    expect(podResolvConf(pod({ dnsPolicy: 'Default' }), { ...OPTIONS, hostResolvConf: host })).toBe('search b.example\nnameserver 192.0.2.1\noptions attempts:2\n');
  });
});
