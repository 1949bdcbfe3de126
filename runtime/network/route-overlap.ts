import { cidrOf, formatCidr, overlaps, parseCidr, type Ipv4Cidr } from './ipv4-cidr.js';
import { FALLBACK_METRIC } from './range-routes.js';

/** One entry of `ip -4 -j route show table all`. */
export interface IpRoute {
  dst: string;
  type?: string;
  metric?: number;
  dev?: string;
  gateway?: string;
  table?: string;
}

/**
 * The first route, other than the default route and the bridge's own, whose
 * destination overlaps `cidr`. Any such route (a VPN, a docker bridge, a
 * blackhole) would either take pod traffic away from the bridge or be shadowed by it.
 */
export function findOverlappingRoute(routes: IpRoute[], cidr: Ipv4Cidr, bridge: string): IpRoute | undefined {
  return routes.find((route) => {
    if (route.dev === bridge || route.dst === 'default') return false;
    // The unreachable route a network keeps under its own range (see range-routes.ts) is this range's, not a rival.
    if (route.type === 'unreachable' && route.metric === FALLBACK_METRIC && route.dst === formatCidr(cidr)) return false;
    const dst = parseCidr(route.dst);
    if (!dst || dst.prefix === 0) return false;
    return overlaps(cidr, cidrOf(dst.address, dst.prefix));
  });
}

/** A route as `ip route` would print it, for messages. */
export function describeRoute(route: IpRoute): string {
  return [
    route.type && route.type !== 'unicast' ? route.type : undefined,
    route.dst,
    route.gateway ? `via ${route.gateway}` : undefined,
    route.dev ? `dev ${route.dev}` : undefined,
    route.table && route.table !== 'main' ? `table ${route.table}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}
