import type { KubeObject } from '../kube/object.js';
import { parseResolvConf } from './resolv-conf-file.js';

/** Limits the kubelet applies to a pod's resolv.conf (glibc's, with Kubernetes' expanded DNS config). */
export const MAX_NAMESERVERS = 3;
export const MAX_SEARCH_PATHS = 32;
export const MAX_SEARCH_LIST_CHARS = 2048;
const MAX_SEARCH_PATH_LENGTH = 253;

export interface PodDnsOptions {
  /** The cluster DNS server pods use (the kube-dns Service's ClusterIP); empty falls back to `Default`, as a kubelet without --cluster-dns does. */
  nameserver: string;
  /** @defaultValue 'cluster.local' */
  clusterDomain?: string;
  /** The node's resolv.conf text: all of `Default`, and the tail of `ClusterFirst`'s search list. */
  hostResolvConf: string;
}

/** A pod's resolver settings, in the order they are written. */
export interface PodDnsConfig {
  nameservers: string[];
  searches: string[];
  options: string[];
  /** What was dropped to fit the limits, worded as the kubelet's DNSConfigForming events. */
  warnings: string[];
}

interface DnsConfigSpec {
  nameservers?: string[];
  searches?: string[];
  options?: Array<{ name: string; value?: string }>;
}

/**
 * The kubelet's GetPodDNS: the base per `dnsPolicy` (`ClusterFirst`, and
 * `ClusterFirstWithHostNet`: the cluster server, the namespace's search
 * domains before the host's, `ndots:5`; `Default`, and `ClusterFirst` on the
 * host network: the host's file; `None`: nothing), then `dnsConfig` appended
 * with duplicates dropped and its options overriding, then the limits.
 */
export function podDnsConfig(pod: KubeObject, options: PodDnsOptions): PodDnsConfig {
  const domain = options.clusterDomain ?? 'cluster.local';
  const host = parseResolvConf(options.hostResolvConf);
  const warnings: string[] = [];
  let base = { nameservers: host.nameservers, searches: host.searches, options: host.options };
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const cluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && pod.spec?.hostNetwork !== true);
  if (policy === 'None') base = { nameservers: [], searches: [], options: [] };
  else if (cluster && options.nameserver) {
    const namespace = String(pod.metadata.namespace);
    base = {
      nameservers: [options.nameserver],
      searches: unique([`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...host.searches]),
      options: ['ndots:5'],
    };
  } else if (cluster) {
    warnings.push(`kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`);
  }

  const config = pod.spec?.dnsConfig as DnsConfigSpec | undefined;
  if (config) {
    base = {
      nameservers: unique([...base.nameservers, ...(config.nameservers ?? [])]),
      searches: unique([...base.searches, ...(config.searches ?? [])]),
      options: mergeOptions(base.options, config.options ?? []),
    };
  }
  return { ...base, nameservers: fitNameservers(base.nameservers, warnings), searches: fitSearches(base.searches, warnings), warnings };
}

/** The text of the pod's /etc/resolv.conf, as the container runtime writes the kubelet's settings. */
export function podResolvConf(pod: KubeObject, options: PodDnsOptions): string {
  const config = podDnsConfig(pod, options);
  const lines: string[] = [];
  if (config.searches.length) lines.push(`search ${config.searches.join(' ')}`);
  for (const server of config.nameservers) lines.push(`nameserver ${server}`);
  if (config.options.length) lines.push(`options ${config.options.join(' ')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Options by name; a dnsConfig option replaces the value of the same name in place (`ndots:2` over `ndots:5`). */
function mergeOptions(existing: string[], added: Array<{ name: string; value?: string }>): string[] {
  const byName = new Map<string, string>();
  for (const option of existing) {
    const colon = option.indexOf(':');
    if (colon < 0) byName.set(option, '');
    else byName.set(option.slice(0, colon), option.slice(colon + 1));
  }
  for (const option of added) byName.set(option.name, option.value ?? '');
  return [...byName].map(([name, value]) => (value ? `${name}:${value}` : name));
}

function fitNameservers(nameservers: string[], warnings: string[]): string[] {
  if (nameservers.length <= MAX_NAMESERVERS) return nameservers;
  const kept = nameservers.slice(0, MAX_NAMESERVERS);
  warnings.push(`Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${kept.join(' ')}`);
  return kept;
}

function fitSearches(searches: string[], warnings: string[]): string[] {
  let kept = searches.slice(0, MAX_SEARCH_PATHS);
  // glibc 2.28 aborts on a search path over 255 characters.
  kept = kept.filter((s) => s.length <= MAX_SEARCH_PATH_LENGTH);
  while (kept.join(' ').length > MAX_SEARCH_LIST_CHARS) kept = kept.slice(0, -1);
  if (kept.length !== searches.length) {
    warnings.push(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${kept.join(' ')}`);
  }
  return kept;
}
