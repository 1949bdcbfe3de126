import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { decode, encode, RECURSION_DESIRED, type DecodedPacket, type RecordType } from 'dns-packet';
import type { Upstream } from './upstreams.js';

const RCODE_SERVFAIL = 2;
const RCODE_REFUSED = 5;
/** Even with many upstreams, each gets at least this long before the next is tried. */
const MIN_TRY_MS = 400;

export interface ForwarderOptions {
  /** Tried in order; the next one on a timeout, a network error, SERVFAIL or REFUSED. */
  upstreams: Upstream[];
  /**
   * Time for one forwarded query across all upstreams, after which the client gets SERVFAIL.
   * @defaultValue 2000
   */
  timeoutMs?: number;
  /**
   * Forwarded queries in flight at once (each holds a socket); more get SERVFAIL at once.
   * @defaultValue 512
   */
  maxInFlight?: number;
}

/**
 * Sends queries the cluster does not answer to the upstream servers: over
 * UDP, again over TCP when the answer came truncated, each with a fresh
 * random ID on its own socket (so a forged answer must guess both).
 */
export class Forwarder {
  private inFlight = 0;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: ForwarderOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.maxInFlight = options.maxInFlight ?? 512;
  }

  /** The first usable upstream response to a raw query, with the query's ID; undefined when none came in time. */
  async forward(query: Buffer): Promise<Buffer | undefined> {
    const { upstreams } = this.options;
    if (query.length < 12 || upstreams.length === 0 || this.inFlight >= this.maxInFlight) return undefined;
    this.inFlight++;
    try {
      const deadline = Date.now() + this.timeoutMs;
      const perTry = Math.max(MIN_TRY_MS, Math.floor(this.timeoutMs / upstreams.length));
      let refusal: Buffer | undefined;
      for (const upstream of upstreams) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        const response = await exchange(upstream, query, Math.min(perTry, remaining), deadline).catch(() => undefined);
        if (!response) continue;
        const rcode = response[3] & 0x0f;
        if (rcode !== RCODE_SERVFAIL && rcode !== RCODE_REFUSED) return response;
        refusal ??= response;
      }
      return refusal;
    } finally {
      this.inFlight--;
    }
  }

  /** Asks the upstreams for `name` (to follow a CNAME out of the cluster). */
  async resolve(name: string, type: RecordType): Promise<DecodedPacket | undefined> {
    const response = await this.forward(encode({ type: 'query', id: 0, flags: RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] }));
    if (!response) return undefined;
    try {
      return decode(response);
    } catch {
      return undefined;
    }
  }
}

async function exchange(upstream: Upstream, query: Buffer, tryMs: number, deadline: number): Promise<Buffer> {
  const id = randomInt(0, 0x10000);
  const ours = Buffer.from(query);
  ours.writeUInt16BE(id, 0);
  let response = await udpExchange(upstream, ours, id, tryMs);
  const truncated = (response[2] & 0x02) !== 0;
  // Out of time, the truncated answer still tells the client to retry over TCP.
  if (truncated && deadline > Date.now()) response = await tcpExchange(upstream, ours, id, deadline - Date.now());
  const restored = Buffer.from(response);
  restored.writeUInt16BE(query.readUInt16BE(0), 0);
  return restored;
}

function isAnswerTo(message: Buffer, id: number): boolean {
  return message.length >= 12 && message.readUInt16BE(0) === id && (message[2] & 0x80) !== 0;
}

function udpExchange(upstream: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.address.split('%')[0]) ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (error: Error | undefined, message?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(message!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${upstream.address}:${upstream.port} in ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => finish(error));
    // A connected socket hears only its upstream, and learns of ICMP port-unreachable as ECONNREFUSED.
    socket.on('message', (message) => {
      if (isAnswerTo(message, id)) finish(undefined, message);
    });
    socket.once('connect', () => socket.send(query, (error) => error && finish(error)));
    socket.connect(upstream.port, upstream.address);
  });
}

function tcpExchange(upstream: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: upstream.address, port: upstream.port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, message?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(message!);
    };
    const timer = setTimeout(() => finish(new Error(`no answer over TCP from ${upstream.address}:${upstream.port} in ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`${upstream.address}:${upstream.port} closed the connection without an answer`)));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length < 2 + size) return;
      const message = received.subarray(2, 2 + size);
      if (isAnswerTo(message, id)) finish(undefined, message);
      else finish(new Error(`${upstream.address}:${upstream.port} answered over TCP with a different ID`));
    });
  });
}
