import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { firewallRuleset } from '../../../../../runtime/network/firewall-ruleset.js';
import { chainUpdateScript, emptyLoaded } from '../../../../../runtime/network/nft-chains.js';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { serviceRules, udpEndpoints } from '../../../../../runtime/proxy/kernel/service-rules.js';

function service(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec } };
}

function endpoints(name: string, ready: string[], notReady: string[] = [], ports = [{ name: 'http', port: 8080, protocol: 'TCP' }]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace: 'shop', name },
    subsets: [{ addresses: ready.map((ip) => ({ ip })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports }],
  };
}

const rulesWith = (chains: Map<string, string[]>, text: string) => [...chains.values()].flat().filter((r) => r.includes(text));

describe('serviceRules', () => {
  it('maps clusterIP . protocol . port to a chain that picks one ready endpoint at random and DNATs to it', () => {
    const { chains } = serviceRules([{ service: service('web', { clusterIP: '10.96.0.20' }), endpoints: endpoints('web', ['10.244.0.6', '10.244.0.5'], ['10.244.0.9']) }]);
    const [dispatch] = chains.get('services')!;
    expect(dispatch).toMatch(/^ip daddr \. meta l4proto \. th dport vmap \{ 10\.96\.0\.20 \. tcp \. 80 : goto svc-\S+-shop\/web\/tcp\/http \}$/);
    expect(rulesWith(chains, 'numgen random mod 2')).toHaveLength(1);
    expect(rulesWith(chains, 'dnat ip to').sort()).toEqual(['meta l4proto tcp dnat ip to 10.244.0.5:8080', 'meta l4proto tcp dnat ip to 10.244.0.6:8080']);
    // Not-ready addresses never get traffic.
    expect(rulesWith(chains, '10.244.0.9')).toEqual([]);
  });

  it('marks a pod reaching itself through its Service for masquerade (hairpin)', () => {
    const { chains } = serviceRules([{ service: service('web', { clusterIP: '10.96.0.20' }), endpoints: endpoints('web', ['10.244.0.5']) }]);
    expect(rulesWith(chains, 'ip saddr 10.244.0.5 meta mark set')).toHaveLength(1);
  });

  it('leaves a Service without ready endpoints, a headless one and an ExternalName out of the map (the filter chains refuse them)', () => {
    const { chains } = serviceRules([
      { service: service('empty', { clusterIP: '10.96.0.21' }), endpoints: endpoints('empty', [], ['10.244.0.9']) },
      { service: service('headless', { clusterIP: 'None' }), endpoints: endpoints('headless', ['10.244.0.5']) },
      { service: service('external', { type: 'ExternalName', externalName: 'example.com' }) },
    ]);
    expect(chains.get('services')).toEqual([]);
    expect([...chains.keys()].sort()).toEqual(['nodeports', 'services']);
  });

  it('matches endpoint ports by name and protocol, so a UDP port goes to the UDP endpoint port', () => {
    const spec = { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] };
    const eps = endpoints('dns', ['10.244.0.1'], [], [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'dns-tcp', port: 5354, protocol: 'TCP' }]);
    const { chains } = serviceRules([{ service: service('dns', spec), endpoints: eps }]);
    expect(rulesWith(chains, 'dnat').sort()).toEqual(['meta l4proto tcp dnat ip to 10.244.0.1:5354', 'meta l4proto udp dnat ip to 10.244.0.1:5353']);
    expect(udpEndpoints([{ service: service('dns', spec), endpoints: eps }])).toEqual(new Map([['10.96.0.10', new Set(['10.244.0.1'])]]));
  });

  it('sends a Service whose endpoint is another Service\'s ClusterIP (a preview\'s bridge) straight to that Service\'s pods', () => {
    const production = { service: service('catalog', { clusterIP: '10.96.0.30' }), endpoints: endpoints('catalog', ['10.244.0.7', '10.244.0.8']) };
    const bridge = {
      service: { ...service('catalog-bridge', { clusterIP: '10.96.0.31' }), metadata: { namespace: 'pr-7', name: 'catalog' } },
      endpoints: endpoints('catalog', ['10.96.0.30'], [], [{ name: 'http', port: 80, protocol: 'TCP' }]),
    };
    const { chains } = serviceRules([production, bridge]);
    const bridgeChain = [...chains.entries()].find(([name]) => name.startsWith('svc-') && name.includes('pr-7/'))!;
    expect(bridgeChain[1].at(-1)).toMatch(/numgen random mod 2/);
    expect(rulesWith(chains, 'dnat ip to 10.96.0.30')).toEqual([]);
    expect(new Set(rulesWith(chains, 'dnat ip to'))).toEqual(new Set(['meta l4proto tcp dnat ip to 10.244.0.7:8080', 'meta l4proto tcp dnat ip to 10.244.0.8:8080']));
  });

  it('keeps a client on its endpoint under sessionAffinity: ClientIP, with the timeout asked for', () => {
    const svc = service('sticky', { clusterIP: '10.96.0.22', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    const { chains, sets } = serviceRules([{ service: svc, endpoints: endpoints('sticky', ['10.244.0.5', '10.244.0.6']) }]);
    expect([...sets!.values()]).toEqual(['type ipv4_addr; flags dynamic,timeout; timeout 60s;', 'type ipv4_addr; flags dynamic,timeout; timeout 60s;']);
    const serviceChain = [...chains.entries()].find(([name]) => name.startsWith('svc-'))![1];
    expect(serviceChain.slice(0, 2).every((r) => /^ip saddr @aff-\S+ goto sep-/.test(r))).toBe(true);
    expect(rulesWith(chains, 'update @aff-')).toHaveLength(2);
  });

  it('sends node ports through a chain that marks for masquerade', () => {
    const svc = service('web', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    const { chains } = serviceRules([{ service: svc, endpoints: endpoints('web', ['10.244.0.5']) }]);
    expect(chains.get('nodeports')![0]).toMatch(/^meta l4proto \. th dport vmap \{ tcp \. 30080 : goto snp-/);
  });

  it.skipIf(process.getuid?.() !== 0)('is valid nftables, with the base chains, for the real nft (check mode, loads nothing)', () => {
    const svc = service('web', { type: 'NodePort', clusterIP: '10.96.0.20', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    const eps = endpoints('web', ['10.244.0.5', '10.244.0.6'], [], [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }]);
    const script =
      firewallRuleset({ bridge: 'btcheck000', gateway: '10.244.0.1', openPorts: [{ protocol: 'udp', port: 53 }], serviceCidr: '10.96.0.0/16' }) +
      chainUpdateScript('btcheck000', emptyLoaded(), serviceRules([{ service: svc, endpoints: eps }]));
    expect(() => execFileSync('nft', ['-c', '-f', '-'], { input: script, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });
});
