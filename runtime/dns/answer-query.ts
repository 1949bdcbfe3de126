import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { Answer, Question } from 'dns-packet';
import type { DnsSnapshot } from './dns-table.js';
import type { DnsPort, ServiceEntry } from './service-entry.js';

/** TTL of every cluster answer and of negative answers (the SOA minimum): CoreDNS's kubernetes plugin default. */
export const CLUSTER_TTL = 5;
/** The schema version of the Kubernetes DNS specification, answered at `dns-version.<domain>`. */
export const DNS_SCHEMA_VERSION = '1.1.0';
/** An ExternalName chain inside the cluster longer than this is a loop. */
const MAX_CNAME_HOPS = 8;

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

/** The answer cluster DNS gives itself. */
export interface LocalAnswer {
  forward: false;
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** An ExternalName led out of the cluster domain: resolve this name upstream (same type) and append what comes back. */
  chase?: string;
}

/** A query is answered here, or sent to the upstream servers as it came. */
export type QueryOutcome = LocalAnswer | { forward: true };

const FORWARD: QueryOutcome = Object.freeze({ forward: true });

/** What exists at a name inside the cluster domain (no node at all: NXDOMAIN). */
interface ZoneNode {
  addresses?: string[];
  cname?: string;
  srv?: SrvTarget[];
  txt?: string;
  apex?: boolean;
}

interface SrvTarget {
  port: number;
  /** Relative to the cluster domain. */
  target: string;
  addresses: string[];
}

/**
 * Answers one question from a snapshot of the cluster, following the
 * Kubernetes DNS specification: names under `zone` are answered here
 * (NXDOMAIN with the SOA for what does not exist, NODATA for a name without
 * records of the type asked), and so are PTR queries for addresses the
 * cluster knows; everything else is forwarded. `zone` is lower case without
 * a trailing dot; answers carry the question's own spelling of the name.
 */
export function answerQuery(question: Question, snapshot: DnsSnapshot, zone: string): QueryOutcome {
  if (question.class !== undefined && question.class !== 'IN') return FORWARD;
  const name = question.name.toLowerCase().replace(/\.$/, '');
  if (inZone(name, zone)) return answerInZone(question, snapshot, zone);
  if (question.type === 'PTR') {
    const ip = reverseIpv4(name);
    const names = ip ? snapshot.namesOf(ip) : [];
    if (names.length) return { ...emptyAnswer(), answers: names.map((n) => record('PTR', question.name, `${n}.${zone}`)) };
  }
  return FORWARD;
}

function answerInZone(question: Question, snapshot: DnsSnapshot, zone: string): LocalAnswer {
  const out = emptyAnswer();
  let name = question.name;
  for (let hop = 0; ; hop++) {
    const node = lookup(labelsBelow(name, zone), snapshot);
    if (!node) {
      out.rcode = 'NXDOMAIN';
      out.authorities.push(soa(snapshot, zone));
      return out;
    }
    if (node.cname && question.type !== 'CNAME') {
      out.answers.push(record('CNAME', name, node.cname));
      if (!inZone(node.cname, zone)) {
        out.chase = node.cname;
        return out;
      }
      if (hop === MAX_CNAME_HOPS) {
        out.rcode = 'SERVFAIL';
        return out;
      }
      name = node.cname;
      continue;
    }
    const before = out.answers.length;
    addRecords(out, question.type, name, node, snapshot, zone);
    if (out.answers.length === before) out.authorities.push(soa(snapshot, zone));
    return out;
  }
}

function addRecords(out: LocalAnswer, type: string, name: string, node: ZoneNode, snapshot: DnsSnapshot, zone: string): void {
  const wants = (t: string): boolean => type === t || type === 'ANY';
  if (wants('A') || wants('AAAA')) out.answers.push(...addressRecords(name, node.addresses ?? [], type));
  if (wants('CNAME') && node.cname) out.answers.push(record('CNAME', name, node.cname));
  if (wants('SRV') && node.srv?.length) {
    const weight = Math.floor(100 / node.srv.length);
    const targets = new Map<string, string[]>();
    for (const srv of node.srv) {
      const target = `${srv.target}.${zone}`;
      out.answers.push({ type: 'SRV', name, ttl: CLUSTER_TTL, class: 'IN', data: { priority: 0, weight, port: srv.port, target } });
      targets.set(target, srv.addresses);
    }
    for (const [target, addresses] of targets) out.additionals.push(...addressRecords(target, addresses, 'ANY'));
  }
  if (wants('TXT') && node.txt) out.answers.push({ type: 'TXT', name, ttl: CLUSTER_TTL, class: 'IN', data: [node.txt] });
  if (node.apex && wants('SOA')) out.answers.push({ ...soa(snapshot, zone), name });
  if (node.apex && wants('NS')) {
    out.answers.push(record('NS', name, `ns.dns.${zone}`));
    out.additionals.push(...addressRecords(`ns.dns.${zone}`, dnsServiceIps(snapshot), 'ANY'));
  }
}

/** The node at a name, given its labels below the zone from the right (`web.shop.svc` → svc, shop, web). */
function lookup(labels: string[], snapshot: DnsSnapshot): ZoneNode | undefined {
  const [top, ...rest] = labels;
  if (top === undefined) return { apex: true };
  if (top === 'svc') return serviceNode(rest, snapshot);
  if (top === 'pod') return podNode(rest, snapshot);
  if (top === 'dns-version' && rest.length === 0) return { txt: DNS_SCHEMA_VERSION };
  // The apex's NS target, `ns.dns.<zone>`, as CoreDNS names it.
  if (top === 'dns' && rest.length === 0) return {};
  if (top === 'dns' && rest.length === 1 && rest[0] === 'ns') return { addresses: dnsServiceIps(snapshot) };
  return undefined;
}

function serviceNode([namespace, name, third, fourth, ...more]: string[], snapshot: DnsSnapshot): ZoneNode | undefined {
  if (namespace === undefined) return {};
  if (name === undefined) return snapshot.hasNamespace(namespace) ? {} : undefined;
  const entry = snapshot.service(namespace, name);
  if (!entry || more.length) return undefined;
  if (third === undefined) return serviceRecords(entry);
  if (third.startsWith('_')) {
    // `_<proto>.<svc>` exists when some SRV record sits below it; `_<port>._<proto>.<svc>` is the SRV record.
    const srv = srvTargets(entry, fourth, third);
    if (!srv.length) return undefined;
    return fourth === undefined ? {} : { srv };
  }
  if (fourth !== undefined || entry.kind !== 'Headless') return undefined;
  const addresses = entry.hosts.get(third);
  return addresses ? { addresses } : undefined;
}

function serviceRecords(entry: ServiceEntry): ZoneNode | undefined {
  if (entry.kind === 'ExternalName') return entry.externalName ? { cname: entry.externalName } : {};
  if (entry.kind === 'ClusterIP') return { addresses: entry.clusterIPs };
  // A headless Service without ready endpoints is NXDOMAIN (specification 2.4.1), unless a pod's name lives below it.
  const addresses = [...new Set(entry.endpoints.map((e) => e.ip))];
  if (addresses.length) return { addresses };
  return entry.hosts.size ? {} : undefined;
}

function srvTargets(entry: ServiceEntry, port: string | undefined, proto: string): SrvTarget[] {
  const matches = (p: DnsPort): boolean => `_${p.protocol}` === proto && (port === undefined || `_${p.name}` === port);
  const service = `${entry.name}.${entry.namespace}.svc`;
  if (entry.kind === 'ClusterIP') return entry.ports.filter(matches).map((p) => ({ port: p.port, target: service, addresses: entry.clusterIPs }));
  if (entry.kind !== 'Headless') return [];
  const out = new Map<string, SrvTarget>();
  for (const endpoint of entry.endpoints) {
    for (const p of endpoint.ports) {
      if (!matches(p)) continue;
      const target = `${endpoint.host}.${service}`;
      out.set(`${p.port} ${target}`, { port: p.port, target, addresses: entry.hosts.get(endpoint.host) ?? [endpoint.ip] });
    }
  }
  return [...out.values()];
}

/**
 * `<a-b-c-d>.<ns>.pod.<zone>` answers a.b.c.d for any address in an existing
 * namespace, whether or not a pod has it: CoreDNS's `pods insecure`, which
 * keeps the deprecated kube-dns behaviour.
 */
function podNode([namespace, podName, ...more]: string[], snapshot: DnsSnapshot): ZoneNode | undefined {
  if (namespace === undefined) return {};
  if (!snapshot.hasNamespace(namespace) || more.length) return undefined;
  if (podName === undefined) return {};
  const ip = podName.split('-').length === 4 && !podName.includes('--') ? podName.replaceAll('-', '.') : podName.replaceAll('-', ':');
  return isIP(ip) ? { addresses: [ip] } : undefined;
}

function addressRecords(name: string, addresses: string[], type: string): Answer[] {
  const out: Answer[] = [];
  for (const ip of new Set(addresses)) {
    if ((type === 'A' || type === 'ANY') && isIPv4(ip)) out.push(record('A', name, ip));
    if ((type === 'AAAA' || type === 'ANY') && isIPv6(ip)) out.push(record('AAAA', name, ip));
  }
  return out;
}

function dnsServiceIps(snapshot: DnsSnapshot): string[] {
  return snapshot.service('kube-system', 'kube-dns')?.clusterIPs ?? [];
}

function soa(snapshot: DnsSnapshot, zone: string): Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: CLUSTER_TTL,
    class: 'IN',
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: snapshot.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: CLUSTER_TTL },
  };
}

function record(type: 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR', name: string, data: string): Answer {
  return { type, name, ttl: CLUSTER_TTL, class: 'IN', data };
}

function emptyAnswer(): LocalAnswer {
  return { forward: false, rcode: 'NOERROR', answers: [], authorities: [], additionals: [] };
}

function inZone(name: string, zone: string): boolean {
  const lower = name.toLowerCase();
  return lower === zone || lower.endsWith(`.${zone}`);
}

function labelsBelow(name: string, zone: string): string[] {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return lower === zone ? [] : lower.slice(0, -zone.length - 1).split('.').reverse();
}

/** `7.0.0.10.in-addr.arpa` → `10.0.0.7`; undefined for anything but a full IPv4 reverse name. */
function reverseIpv4(name: string): string | undefined {
  const suffix = '.in-addr.arpa';
  if (!name.endsWith(suffix)) return undefined;
  const octets = name.slice(0, -suffix.length).split('.');
  if (octets.length !== 4 || !octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) return undefined;
  return octets.reverse().map(Number).join('.');
}
