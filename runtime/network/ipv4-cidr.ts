/**
 * IPv4 range arithmetic on unsigned 32-bit integers. Pure: every function
 * assumes its input was parsed by `parseCidr` or `ipToInt`.
 */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  network: number;
  prefix: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or undefined when `text` is not a dotted IPv4 address. */
export function ipToInt(text: string): number | undefined {
  const m = DOTTED.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `a.b.c.d/n`; a bare address is a /32, as `ip route` prints host routes.
 * Host bits are kept as given so callers can tell `10.244.0.5/16` from its network.
 */
export function parseCidr(text: string): { address: number; prefix: number } | undefined {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const address = ipToInt(addr);
  if (address === undefined) return undefined;
  if (len === undefined) return { address, prefix: 32 };
  if (!/^\d{1,2}$/.test(len) || Number(len) > 32) return undefined;
  return { address, prefix: Number(len) };
}

export function cidrOf(address: number, prefix: number): Ipv4Cidr {
  return { network: (address & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${intToIp(cidr.network)}/${cidr.prefix}`;
}

export function lastAddress(cidr: Ipv4Cidr): number {
  return (cidr.network | ~maskOf(cidr.prefix)) >>> 0;
}

export function contains(cidr: Ipv4Cidr, address: number): boolean {
  return ((address & maskOf(cidr.prefix)) >>> 0) === cidr.network;
}

/** Two aligned ranges overlap exactly when one contains the other's network address. */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return contains(a, b.network) || contains(b, a.network);
}

/** The bridge's address: the first one after the network address. */
export function gatewayOf(cidr: Ipv4Cidr): number {
  return cidr.network + 1;
}

/** Addresses a pod may get: not the network, the gateway or the broadcast address. */
export function podAddressRange(cidr: Ipv4Cidr): { first: number; last: number } {
  return { first: cidr.network + 2, last: lastAddress(cidr) - 1 };
}
