import dgram from 'node:dgram';
import net from 'node:net';
import { decode, encode, streamEncode, type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { pino } from 'pino';
import { listenDns } from '../../runtime/dns/dns-listeners.js';
import type { Cluster } from '../../runtime/objects/cluster.js';
import { resources } from '../../runtime/resources/registry.js';

export const silentLogger = pino({ level: 'silent' });

let n = 0;
/** A namespace name unique to this test run. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function createNamespace(cluster: Cluster, name: string): Promise<void> {
  await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

// The same poll the controller tests use.

/** The error code a rejected lookup gave, e.g. ENOTFOUND for NXDOMAIN. */
export async function failureOf(lookup: Promise<unknown>): Promise<string> {
  try {
    await lookup;
  } catch (err) {
    return String((err as NodeJS.ErrnoException).code);
  }
  return 'answered';
}

export interface FakeUpstream {
  /** `127.0.0.1:<port>`, as `upstreams` takes it. */
  address: string;
  port: number;
  /** `transport name`, per query received. */
  queries: string[];
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  /** Answers over UDP come empty with TC set when they hold more records than this. */
  udpLimit?: number;
  /** Never answers (a server that is down but whose port is open). */
  silent?: boolean;
}

/** A loopback DNS server standing in for the host's resolvers: A records from `records`, NXDOMAIN otherwise. */
export async function startFakeUpstream(records: Record<string, string[]>, options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const queries: string[] = [];
  const listeners = await listenDns(
    '127.0.0.1',
    0,
    async (message, transport) => {
      const query = decode(message);
      const question = query.questions![0];
      queries.push(`${transport} ${question.name}`);
      if (options.silent) return undefined;
      const ips = records[question.name.toLowerCase()];
      const answers: Answer[] = (question.type === 'A' ? (ips ?? []) : []).map((ip) => ({ type: 'A', name: question.name, ttl: 60, class: 'IN', data: ip }));
      const truncated = transport === 'udp' && options.udpLimit !== undefined && answers.length > options.udpLimit;
      return encode({
        type: 'response',
        id: query.id,
        flags: (ips ? 0 : 3) | (truncated ? 0x200 : 0) | 0x80 | 0x100,
        questions: query.questions,
        answers: truncated ? [] : answers,
      });
    },
    silentLogger,
  );
  return { address: `127.0.0.1:${listeners.port}`, port: listeners.port, queries, close: () => listeners.close() };
}

/** One query over UDP, exactly as given (no EDNS unless the packet carries it). */
export function queryUdp(port: number, packet: Packet): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no answer over UDP'));
    }, 3000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(decode(message));
    });
    socket.send(encode(packet), port, '127.0.0.1');
  });
}

/** One query over TCP, with its two-byte length. */
export function queryTcp(port: number, packet: Packet): Promise<DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    socket.setTimeout(3000, () => socket.destroy(new Error('no answer over TCP')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(streamEncode(packet)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.end();
        resolve(decode(received.subarray(2, 2 + received.readUInt16BE(0))));
      }
    });
  });
}
