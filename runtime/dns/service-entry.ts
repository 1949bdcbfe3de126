import { isPodReady } from '../controllers/index.js';
import type { KubeObject } from '../kube/object.js';

/** A named port, as SRV records publish it (`_<name>._<protocol>`). */
export interface DnsPort {
  name: string;
  /** Lower case: `tcp`, `udp`, `sctp`. */
  protocol: string;
  port: number;
}

/** A ready endpoint of a headless Service. */
export interface DnsEndpoint {
  ip: string;
  /** The endpoint's `hostname`, else its address with dashes (`10-0-0-7`). */
  host: string;
  /** Its named ports, as the Endpoints list them. */
  ports: DnsPort[];
}

/** Everything cluster DNS answers for one Service. */
export interface ServiceEntry {
  namespace: string;
  name: string;
  kind: 'ClusterIP' | 'Headless' | 'ExternalName';
  /** ClusterIP kind: its addresses. */
  clusterIPs: string[];
  /** ExternalName kind: the target, lower case, without a trailing dot. */
  externalName?: string;
  /** ClusterIP kind: named Service ports, SRV records that point at the Service's name. */
  ports: DnsPort[];
  /** Headless kind: ready endpoints, the Service name's A records and its SRV targets. */
  endpoints: DnsEndpoint[];
  /** Headless kind: `<host>.<service>` names and their addresses (endpoint hosts, and pods naming the Service as subdomain). */
  hosts: Map<string, string[]>;
}

const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

/**
 * The DNS view of a Service: its ClusterIPs, its ExternalName, or for a
 * headless Service the ready addresses of its Endpoints (not-ready ones too
 * with publishNotReadyAddresses) and the pods whose `spec.hostname` and
 * `spec.subdomain` name it — whether or not its selector picks them, as the
 * Kubernetes docs word the rule.
 */
export function serviceEntry(service: KubeObject, endpoints: KubeObject | undefined, pods: KubeObject[]): ServiceEntry {
  const spec = service.spec ?? {};
  const entry: ServiceEntry = {
    namespace: String(service.metadata.namespace),
    name: String(service.metadata.name),
    kind: spec.type === 'ExternalName' ? 'ExternalName' : spec.clusterIP === 'None' ? 'Headless' : 'ClusterIP',
    clusterIPs: [],
    ports: [],
    endpoints: [],
    hosts: new Map(),
  };
  if (entry.kind === 'ExternalName') {
    if (spec.externalName) entry.externalName = String(spec.externalName).toLowerCase().replace(/\.$/, '');
    return entry;
  }
  if (entry.kind === 'ClusterIP') {
    const ips: string[] = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
    entry.clusterIPs = ips.filter((ip) => ip && ip !== 'None');
    entry.ports = namedPorts(spec.ports);
    return entry;
  }
  const publishNotReady = spec.publishNotReadyAddresses === true || service.metadata.annotations?.[TOLERATE_UNREADY] === 'true';
  for (const subset of (endpoints?.subsets ?? []) as any[]) {
    const ports = namedPorts(subset.ports);
    const addresses = [...(subset.addresses ?? []), ...(publishNotReady ? (subset.notReadyAddresses ?? []) : [])];
    for (const address of addresses) {
      if (!address?.ip) continue;
      const host = address.hostname ? String(address.hostname).toLowerCase() : dashed(address.ip);
      entry.endpoints.push({ ip: address.ip, host, ports });
      addHost(entry.hosts, host, address.ip);
    }
  }
  for (const pod of pods) {
    if (!namesService(pod, entry) || !pod.status?.podIP) continue;
    if (pod.metadata.deletionTimestamp || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    if (publishNotReady || isPodReady(pod)) addHost(entry.hosts, String(pod.spec.hostname).toLowerCase(), pod.status.podIP);
  }
  return entry;
}

/** Whether the pod asks for a name under this Service (`spec.hostname` and `spec.subdomain`). */
export function namesService(pod: KubeObject, service: { namespace: string; name: string }): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === service.name && pod.metadata.namespace === service.namespace;
}

/** `10.0.0.7` → `10-0-0-7` (and `fd00::7` → `fd00--7`), the name of an address without a hostname. */
export function dashed(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

function namedPorts(ports: unknown): DnsPort[] {
  const out: DnsPort[] = [];
  for (const p of (Array.isArray(ports) ? ports : []) as any[]) {
    if (p?.name && Number.isInteger(p.port)) out.push({ name: String(p.name).toLowerCase(), protocol: String(p.protocol ?? 'TCP').toLowerCase(), port: p.port });
  }
  return out;
}

function addHost(hosts: Map<string, string[]>, host: string, ip: string): void {
  const ips = hosts.get(host);
  if (!ips) hosts.set(host, [ip]);
  else if (!ips.includes(ip)) ips.push(ip);
}
