import type { ServiceEntry } from './service-entry.js';

/** What answering a query reads: the cluster's DNS data at one moment. */
export interface DnsSnapshot {
  service(namespace: string, name: string): ServiceEntry | undefined;
  hasNamespace(namespace: string): boolean;
  /** Names whose address is `ip`, relative to the cluster domain (`web.shop.svc`, `web-0.db.shop.svc`). */
  namesOf(ip: string): string[];
  /** The SOA serial: the time, in seconds, of the last change. */
  readonly serial: number;
}

/**
 * The cluster DNS records, one ServiceEntry per Service key, with the reverse
 * index kept beside them so a PTR query is one map lookup.
 */
export class DnsTable implements DnsSnapshot {
  private readonly services = new Map<string, ServiceEntry>();
  /** ip → service key → names. */
  private readonly reverse = new Map<string, Map<string, string[]>>();
  private readonly namespaces = new Set<string>();
  serial = nowSeconds();

  service(namespace: string, name: string): ServiceEntry | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  hasNamespace(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }

  namesOf(ip: string): string[] {
    return [...(this.reverse.get(ip)?.values() ?? [])].flat();
  }

  /** Service keys (`namespace/name`) that have records. */
  keys(): string[] {
    return [...this.services.keys()];
  }

  /** Replaces the records of one Service; `undefined` removes them. */
  setService(key: string, entry: ServiceEntry | undefined): void {
    const old = this.services.get(key);
    if (old) for (const ip of reverseIps(old).keys()) this.unindex(ip, key);
    if (entry) {
      this.services.set(key, entry);
      for (const [ip, names] of reverseIps(entry)) {
        let byKey = this.reverse.get(ip);
        if (!byKey) this.reverse.set(ip, (byKey = new Map()));
        byKey.set(key, names);
      }
    } else this.services.delete(key);
    if (old || entry) this.serial = nowSeconds();
  }

  setNamespaces(names: Iterable<string>): void {
    this.namespaces.clear();
    for (const name of names) this.namespaces.add(name);
  }

  addNamespace(name: string): void {
    this.namespaces.add(name);
  }

  removeNamespace(name: string): void {
    this.namespaces.delete(name);
  }

  private unindex(ip: string, key: string): void {
    const byKey = this.reverse.get(ip);
    byKey?.delete(key);
    if (byKey?.size === 0) this.reverse.delete(ip);
  }
}

/** The PTR names of a Service's addresses: its ClusterIPs, or its headless hosts. */
function reverseIps(entry: ServiceEntry): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (ip: string, name: string): void => {
    const names = out.get(ip);
    if (!names) out.set(ip, [name]);
    else if (!names.includes(name)) names.push(name);
  };
  const service = `${entry.name}.${entry.namespace}.svc`;
  for (const ip of entry.clusterIPs) add(ip, service);
  for (const [host, ips] of entry.hosts) for (const ip of ips) add(ip, `${host}.${service}`);
  return out;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
