import { cidrOf, formatCidr, parseCidr, type Ipv4Cidr } from './ipv4-cidr.js';
import { NetworkError } from './network-error.js';

export const DEFAULT_POD_CIDR = '10.244.0.0/16';

/** Validates `--pod-cidr` once, at the edge. */
export function parsePodCidr(text: string): Ipv4Cidr {
  const parsed = parseCidr(text);
  if (!parsed || !text.includes('/')) {
    throw new NetworkError('INVALID_CIDR', `pod CIDR ${JSON.stringify(text)} is not an IPv4 range like ${DEFAULT_POD_CIDR}`, { podCidr: text });
  }
  const cidr = cidrOf(parsed.address, parsed.prefix);
  if (cidr.network !== parsed.address) {
    throw new NetworkError('INVALID_CIDR', `pod CIDR ${text} has host bits set; did you mean ${formatCidr(cidr)}?`, { podCidr: text });
  }
  // A /30 leaves one pod address next to the network, gateway and broadcast ones; wider than /8 is surely a typo.
  if (cidr.prefix < 8 || cidr.prefix > 30) {
    throw new NetworkError('INVALID_CIDR', `pod CIDR ${text} must have a prefix length from /8 to /30`, { podCidr: text });
  }
  return cidr;
}
