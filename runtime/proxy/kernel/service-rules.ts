import { createHash } from 'node:crypto';
import { MASQUERADE_MARK } from '../../network/firewall-ruleset.js';
import type { ChainGroup } from '../../network/nft-chains.js';
import type { KubeObject } from '../../kube/object.js';
import type { Endpoint } from '../endpoint-picker.js';
import { clusterIPsOf, readyEndpointsFor } from '../service-ports.js';

/** A Service with its Endpoints, as the proxy read them. */
export interface ServiceEntry {
  service: KubeObject;
  endpoints?: KubeObject;
}

const PROTOCOLS: Record<string, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
const DEFAULT_AFFINITY_SECONDS = 10800;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').replace(/[-_]/g, 'x').slice(0, 8);
}

/** Ready addresses of one Service port, each once and in a stable order (the chains' names and the random pick's slots follow it). */
function readyEndpoints(endpoints: KubeObject | undefined, portName: string, protocol: string): Endpoint[] {
  const unique = new Map(readyEndpointsFor(endpoints, portName, protocol).map((ep) => [`${ep.ip}:${ep.port}`, ep]));
  return [...unique.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/**
 * Endpoints that are another Service's ClusterIP and port (a preview's bridge
 * to production) stand for that Service's ready endpoints: a translated packet
 * is not translated again, so the rules must point at the pods themselves.
 * One level only, so two Services pointing at each other cannot loop.
 */
function throughServices(ready: Endpoint[], byClusterIP: Map<string, ServiceEntry>, protocol: string): Endpoint[] {
  if (!ready.some((ep) => byClusterIP.has(ep.ip))) return ready;
  const out = new Map<string, Endpoint>();
  for (const ep of ready) {
    const target = byClusterIP.get(ep.ip);
    if (!target) {
      out.set(`${ep.ip}:${ep.port}`, ep);
      continue;
    }
    const targetPort = ((target.service.spec?.ports ?? []) as any[]).find((p) => p.port === ep.port && (p.protocol ?? 'TCP') === protocol);
    if (!targetPort) continue;
    for (const pod of readyEndpoints(target.endpoints, targetPort.name ?? '', protocol)) {
      if (!byClusterIP.has(pod.ip)) out.set(`${pod.ip}:${pod.port}`, pod);
    }
  }
  return [...out.values()];
}

function affinitySeconds(service: KubeObject): number | undefined {
  if (service.spec?.sessionAffinity !== 'ClientIP') return undefined;
  const seconds = service.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  return typeof seconds === 'number' && seconds > 0 ? seconds : DEFAULT_AFFINITY_SECONDS;
}

/**
 * The service proxy's chains, kube-proxy's nftables mode in miniature:
 * `services` dispatches `clusterIP . protocol . port` through one verdict map
 * to a chain per Service port, which picks a ready endpoint at random
 * (`numgen random`) — or the one a client last used under
 * `sessionAffinity: ClientIP` — and DNATs to it. `nodeports` does the same for
 * node ports (marking for masquerade). A Service port without ready endpoints
 * gets no entry: its packets stay addressed to the ClusterIP and the table's
 * filter chains reject them, so clients see "connection refused" at once.
 */
export function serviceRules(entries: ServiceEntry[]): ChainGroup {
  const chains = new Map<string, string[]>();
  const sets = new Map<string, string>();
  const clusterMap: string[] = [];
  const nodePortMap: string[] = [];
  const byClusterIP = new Map<string, ServiceEntry>();
  for (const entry of entries) for (const ip of clusterIPsOf(entry.service)) byClusterIP.set(ip, entry);

  for (const { service, endpoints } of entries) {
    const ips = clusterIPsOf(service).filter((ip) => !ip.includes(':'));
    if (ips.length === 0) continue;
    const ns = service.metadata.namespace ?? 'default';
    const name = service.metadata.name ?? '';
    const hasNodePorts = service.spec?.type === 'NodePort' || service.spec?.type === 'LoadBalancer';
    const affinity = affinitySeconds(service);
    for (const port of (service.spec?.ports ?? []) as any[]) {
      const protocol = PROTOCOLS[port.protocol ?? 'TCP'];
      if (!protocol || typeof port.port !== 'number') continue;
      const portName = port.name ?? '';
      const id = `${ns}/${name}/${protocol}/${portName || port.port}`;
      const ready = throughServices(readyEndpoints(endpoints, portName, port.protocol ?? 'TCP'), byClusterIP, port.protocol ?? 'TCP');
      if (ready.length === 0) continue;
      const serviceChain = `svc-${shortHash(id)}-${id}`;
      const endpointChains = ready.map((ep) => {
        const epChain = `sep-${shortHash(`${id}/${ep.ip}/${ep.port}`)}-${id}__${ep.ip}/${ep.port}`;
        const rules = [`ip saddr ${ep.ip} meta mark set meta mark | ${MASQUERADE_MARK}`];
        let affinitySet: string | undefined;
        if (affinity !== undefined) {
          affinitySet = `aff-${shortHash(`${id}/${ep.ip}/${ep.port}/${affinity}`)}`;
          sets.set(affinitySet, `type ipv4_addr; flags dynamic,timeout; timeout ${affinity}s;`);
          rules.push(`update @${affinitySet} { ip saddr }`);
        }
        rules.push(`meta l4proto ${protocol} dnat ip to ${ep.ip}:${ep.port}`);
        chains.set(epChain, rules);
        return { chain: epChain, affinitySet };
      });
      const pick = endpointChains.map((ep, i) => `${i} : goto ${ep.chain}`).join(', ');
      chains.set(serviceChain, [
        ...endpointChains.filter((ep) => ep.affinitySet).map((ep) => `ip saddr @${ep.affinitySet} goto ${ep.chain}`),
        `numgen random mod ${endpointChains.length} vmap { ${pick} }`,
      ]);
      for (const ip of ips) clusterMap.push(`${ip} . ${protocol} . ${port.port} : goto ${serviceChain}`);
      if (hasNodePorts && typeof port.nodePort === 'number' && port.nodePort > 0) {
        const nodePortChain = `snp-${shortHash(id)}-${id}`;
        chains.set(nodePortChain, [`meta mark set meta mark | ${MASQUERADE_MARK}`, `goto ${serviceChain}`]);
        nodePortMap.push(`${protocol} . ${port.nodePort} : goto ${nodePortChain}`);
      }
    }
  }
  chains.set('services', clusterMap.length ? [`ip daddr . meta l4proto . th dport vmap { ${clusterMap.join(', ')} }`] : []);
  chains.set('nodeports', nodePortMap.length ? [`meta l4proto . th dport vmap { ${nodePortMap.join(', ')} }`] : []);
  return { chains, sets };
}

/** Per ClusterIP, the addresses of the ready endpoints of its UDP ports: what conntrack must forget when one leaves. */
export function udpEndpoints(entries: ServiceEntry[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { service, endpoints } of entries) {
    for (const port of (service.spec?.ports ?? []) as any[]) {
      if (port.protocol !== 'UDP') continue;
      for (const ip of clusterIPsOf(service)) {
        const ips = out.get(ip) ?? new Set<string>();
        for (const ep of readyEndpoints(endpoints, port.name ?? '', 'UDP')) ips.add(ep.ip);
        out.set(ip, ips);
      }
    }
  }
  return out;
}
