import { NetworkError } from './network-error.js';
import type { HostPort } from './network-types.js';

/** Validates `hostPortsOpenToPods` once, at the edge: each entry becomes an nftables rule. */
export function checkHostPorts(ports: HostPort[]): HostPort[] {
  for (const [i, p] of ports.entries()) {
    if ((p.protocol !== 'tcp' && p.protocol !== 'udp') || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw new NetworkError('INVALID_PORT', `hostPortsOpenToPods[${i}] ${JSON.stringify(p)} is not a tcp or udp port from 1 to 65535`);
    }
  }
  return ports;
}
