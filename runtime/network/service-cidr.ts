import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cidrOf, formatCidr, intToIp, overlaps, parseCidr, type Ipv4Cidr } from './ipv4-cidr.js';
import { NetworkError } from './network-error.js';
import { findOverlappingRoute, type IpRoute } from './route-overlap.js';
import { ipJson } from './run-command.js';
import { networkNames } from './network-names.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

/** Validates `--service-cidr` at the edge; it must not overlap the pod range. */
export function parseServiceCidr(text: string, podCidr?: Ipv4Cidr): Ipv4Cidr {
  const parsed = parseCidr(text);
  if (!parsed || !text.includes('/')) {
    throw new NetworkError('INVALID_CIDR', `service CIDR ${JSON.stringify(text)} is not an IPv4 range like ${DEFAULT_SERVICE_CIDR}`);
  }
  const cidr = cidrOf(parsed.address, parsed.prefix);
  if (cidr.network !== parsed.address) {
    throw new NetworkError('INVALID_CIDR', `service CIDR ${text} has host bits set; did you mean ${formatCidr(cidr)}?`);
  }
  // Kubernetes allows at most a /12 (2^20 addresses); fewer than 16 leaves no room past kube-dns's 10th address.
  if (cidr.prefix < 12 || cidr.prefix > 28) {
    throw new NetworkError('INVALID_CIDR', `service CIDR ${text} must have a prefix length from /12 to /28`);
  }
  if (podCidr && overlaps(cidr, podCidr)) {
    throw new NetworkError('CIDR_OVERLAP', `service CIDR ${text} overlaps the pod CIDR ${formatCidr(podCidr)}; pick another with --service-cidr or --pod-cidr`);
  }
  return cidr;
}

function serviceCidrFile(stateDir: string): string {
  return join(resolve(stateDir), 'network', 'service-cidr');
}

/**
 * The service range of the network of `stateDir`: the one asked for, else
 * the one an earlier start chose (stored ClusterIPs live in it), else
 * 10.96.0.0/16 or, when a route of the machine overlaps it, the next free /16
 * up to 10.111.0.0/16. The choice is written down for the next start.
 */
export async function chooseServiceCidr(stateDir: string, podCidr: Ipv4Cidr, requested?: string): Promise<string> {
  const file = serviceCidrFile(stateDir);
  let chosen: string | undefined;
  if (requested !== undefined) chosen = formatCidr(parseServiceCidr(requested, podCidr));
  else if (existsSync(file)) chosen = formatCidr(parseServiceCidr(readFileSync(file, 'utf8').trim(), podCidr));
  else {
    const routes = await ipJson<IpRoute>(['-4', 'route', 'show', 'table', 'all']);
    const { bridge } = networkNames(stateDir);
    for (let second = 96; second < 112 && !chosen; second++) {
      const candidate = cidrOf(parseCidr(`10.${second}.0.0`)!.address, 16);
      if (!overlaps(candidate, podCidr) && !findOverlappingRoute(routes, candidate, bridge)) chosen = formatCidr(candidate);
    }
    if (!chosen) throw new NetworkError('CIDR_OVERLAP', 'every service range from 10.96.0.0/16 to 10.111.0.0/16 overlaps a route of this machine; pick one with --service-cidr');
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${chosen}\n`);
  return chosen;
}

/** The cluster DNS address of a service range: its 10th address, as kubeadm and k3s place kube-dns. */
export function clusterDnsAddress(serviceCidr: string): string {
  const cidr = parseServiceCidr(serviceCidr);
  return intToIp(cidr.network + 10);
}
