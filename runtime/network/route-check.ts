import { formatCidr, gatewayOf, intToIp, lastAddress, type Ipv4Cidr } from './ipv4-cidr.js';
import { NetworkError } from './network-error.js';
import { describeRoute, findOverlappingRoute, type IpRoute } from './route-overlap.js';
import { CommandError } from './command-error.js';
import { ipJson } from './run-command.js';

/** Refuses a pod CIDR that overlaps a route of the machine other than the bridge's own and the default route. */
export async function checkNoOverlap(cidr: Ipv4Cidr, bridge: string): Promise<void> {
  const routes = await ipJson<IpRoute>(['-4', 'route', 'show', 'table', 'all']);
  const route = findOverlappingRoute(routes, cidr, bridge);
  if (!route) return;
  const podCidr = formatCidr(cidr);
  throw new NetworkError('CIDR_OVERLAP', `pod CIDR ${podCidr} overlaps the route ${describeRoute(route)}; pick another with --pod-cidr`, {
    podCidr,
    bridge,
    conflict: describeRoute(route),
  });
}

/** Where the kernel sends a packet for `address`: the device, or undefined when it has no route. */
export async function routeDevice(address: string): Promise<string | undefined> {
  try {
    const [route] = await ipJson<{ dev?: string }>(['route', 'get', address]);
    return route?.dev;
  } catch (err) {
    if (err instanceof CommandError && /unreachable/i.test(err.data.stderr)) return undefined;
    throw err;
  }
}

/** Addresses across the range, for spot checks: first and last pod address, the middle, and the broadcast address. */
export function sampleAddresses(cidr: Ipv4Cidr): string[] {
  const last = lastAddress(cidr);
  const samples = new Set([gatewayOf(cidr) + 1, Math.floor((cidr.network + last) / 2) + 1, last - 1, last]);
  return [...samples].filter((n) => n > gatewayOf(cidr) && n <= last).map(intToIp);
}

/**
 * The guarantee the whole design rests on: every address of the pod CIDR
 * routes to the bridge, never to the default route. A policy rule or a more
 * specific route added behind our back would break it, so start refuses.
 */
export async function verifyRoutedToBridge(cidr: Ipv4Cidr, bridge: string): Promise<void> {
  for (const address of sampleAddresses(cidr)) {
    const dev = await routeDevice(address);
    if (dev === bridge) continue;
    throw new NetworkError(
      'UNSAFE_ROUTE',
      `pod CIDR ${formatCidr(cidr)} is not routed only to the bridge ${bridge}: ${address} goes ${dev ? `to ${dev}` : 'nowhere'}; check ip rule and ip route`,
      { podCidr: formatCidr(cidr), bridge, conflict: `${address} dev ${dev ?? 'none'}` },
    );
  }
}
