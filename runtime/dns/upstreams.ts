import { isIP } from 'node:net';
import { DnsConfigError } from './dns-config-error.js';
import { parseResolvConf } from './resolv-conf-file.js';

/** A DNS server names outside the cluster are forwarded to. */
export interface Upstream {
  address: string;
  port: number;
}

/** `ip`, `ip:port`, `v6` or `[v6]:port`; throws a DnsConfigError naming `field` otherwise. */
export function parseUpstream(text: string, field: string): Upstream {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(text);
  const withPort = /^([^:]+):(\d+)$/.exec(text);
  const [address, port] = bracketed ? [bracketed[1], Number(bracketed[2])] : withPort ? [withPort[1], Number(withPort[2])] : [text, 53];
  // A scoped IPv6 address (fe80::1%eth0) is valid for a socket; isIP does not know the scope.
  if (!isIP(address.split('%')[0]) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DnsConfigError('INVALID_UPSTREAM', `${field}: "${text}" is not an upstream DNS server (ip, ip:port or [ipv6]:port)`, { field, value: text });
  }
  return { address, port };
}

/**
 * The host's nameservers from its resolv.conf text, leaving out the cluster
 * DNS server's own address so it never forwards to itself. Loopback stub
 * resolvers (systemd-resolved's 127.0.0.53) are kept: the server runs in the
 * host's network namespace, where they answer.
 */
export function hostUpstreams(resolvConf: string, self: { host: string; port: number }): Upstream[] {
  const out: Upstream[] = [];
  for (const [i, server] of parseResolvConf(resolvConf).nameservers.entries()) {
    let upstream: Upstream;
    try {
      upstream = parseUpstream(server, `nameserver ${i + 1}`);
    } catch {
      continue;
    }
    if (!isSelf(upstream, self)) out.push(upstream);
  }
  return out;
}

function isSelf(upstream: Upstream, self: { host: string; port: number }): boolean {
  if (upstream.port !== self.port) return false;
  if (upstream.address === self.host) return true;
  const anyAddress = self.host === '0.0.0.0' || self.host === '::';
  return anyAddress && (upstream.address.startsWith('127.') || upstream.address === '::1');
}
