import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Cluster } from '../objects/cluster.js';
import { DnsConfigError } from './dns-config-error.js';
import { listenDns } from './dns-listeners.js';
import { DnsTable } from './dns-table.js';
import { Forwarder } from './forwarder.js';
import { QueryHandler } from './query-handler.js';
import { startRecordSync } from './record-sync.js';
import { hostUpstreams, parseUpstream, type Upstream } from './upstreams.js';

const DOMAIN_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ClusterDnsOptions {
  cluster: Cluster;
  /** Address to listen on, for UDP and TCP. */
  host: string;
  /** Port to listen on; 0 picks one free for both UDP and TCP (tests). */
  port: number;
  /** @defaultValue 'cluster.local' */
  clusterDomain?: string;
  /**
   * Servers for names outside the cluster, tried in order: `ip`, `ip:port` or `[ipv6]:port`.
   * @defaultValue the nameservers of the host's /etc/resolv.conf, loopback stub resolvers included, this server itself left out
   */
  upstreams?: string[];
  /**
   * A forwarded query not answered by any upstream within this long gets SERVFAIL.
   * @defaultValue 2000
   */
  forwardTimeoutMs?: number;
  /**
   * Every Service's records are recomputed this often even without a watch event.
   * @defaultValue 60000
   */
  resyncIntervalMs?: number;
  /** @defaultValue a pino logger named `cluster-dns` at level `info` */
  logger?: Logger;
}

export interface RunningClusterDns {
  host: string;
  /** The port listened on (the one picked, when asked for 0). */
  port: number;
  /** Closes the sockets and stops watching the cluster. */
  stop(): Promise<void>;
}

/**
 * The runtime's cluster DNS (its CoreDNS): answers Service, endpoint and pod
 * names under the cluster domain from watch-fed caches, and forwards the rest
 * to upstream servers. See runtime/dns/README.md for what it answers.
 */
export async function startClusterDns(options: ClusterDnsOptions): Promise<RunningClusterDns> {
  const logger = options.logger ?? pino({ name: 'cluster-dns' });
  const zone = clusterZone(options.clusterDomain ?? 'cluster.local');
  if (!isIP(options.host)) {
    throw new DnsConfigError('INVALID_LISTEN_ADDRESS', `host: "${options.host}" is not an IP address`, { field: 'host', value: options.host });
  }
  const upstreams = options.upstreams
    ? options.upstreams.map((text, i) => parseUpstream(text, `upstreams[${i}]`))
    : hostUpstreams(readHostResolvConf(), { host: options.host, port: options.port });
  if (upstreams.length === 0) logger.warn(`cluster DNS has no upstream servers: names outside ${zone} get SERVFAIL`);

  const table = new DnsTable();
  const sync = await startRecordSync({ cluster: options.cluster, table, logger, resyncMs: options.resyncIntervalMs });
  const handler = new QueryHandler({ snapshot: table, zone, forwarder: new Forwarder({ upstreams, timeoutMs: options.forwardTimeoutMs }), logger });
  let listeners;
  try {
    listeners = await listenDns(options.host, options.port, (message, transport) => handler.handle(message, transport), logger);
  } catch (error) {
    await sync.stop();
    throw error;
  }
  logger.info({ address: `${listeners.host}:${listeners.port}`, zone, upstreams: upstreams.map(describe) }, `cluster DNS listening on ${listeners.host}:${listeners.port}`);

  let stopped = false;
  return {
    host: listeners.host,
    port: listeners.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await listeners.close();
      await sync.stop();
    },
  };
}

function clusterZone(domain: string): string {
  const zone = domain.toLowerCase().replace(/\.$/, '');
  if (!zone.split('.').every((label) => DOMAIN_LABEL.test(label)) || zone.length > 253) {
    throw new DnsConfigError('INVALID_DOMAIN', `clusterDomain: "${domain}" is not a DNS domain name`, { field: 'clusterDomain', value: domain });
  }
  return zone;
}

function readHostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}

function describe(upstream: Upstream): string {
  return upstream.address.includes(':') ? `[${upstream.address}]:${upstream.port}` : `${upstream.address}:${upstream.port}`;
}
