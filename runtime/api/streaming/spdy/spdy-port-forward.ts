import { connect, type Socket } from 'node:net';
import type { ByteTunnel } from './byte-tunnel.js';
import { HeaderCodec } from './header-codec.js';
import { controlFrame, dataFrame, FLAG_FIN, FrameReader, GOAWAY, HEADERS, PING, RST_STREAM, streamIdOf, SYN_REPLY, SYN_STREAM, type SpdyFrame } from './spdy-frames.js';

const HIGH_WATER = 4 << 20;

interface Forward {
  requestId: string;
  port: number;
  errorStream?: number;
  dataStream?: number;
  socket?: Socket;
  done: boolean;
}

/**
 * `pods/{name}/portforward` as kubectl speaks it: SPDY/3.1 (`portforward.k8s.io`),
 * tunneled in WebSocket messages or on the upgraded socket. Each forwarded
 * connection is a pair of client streams with the same `requestid`: `error`
 * (where a failure is written) and `data` (bytes to and from `podIP:port`).
 * When the pod side ends, both streams are finished, which is what
 * client-go waits for before closing the local connection.
 */
export function runSpdyPortForward(tunnel: ByteTunnel, podIP: string, who: string): void {
  const codec = new HeaderCodec();
  const reader = new FrameReader();
  const forwards = new Map<string, Forward>();
  const byStream = new Map<number, Forward>();
  let closed = false;
  let inbound = Promise.resolve();
  let outbound = Promise.resolve();

  const shutdown = () => {
    if (closed) return;
    closed = true;
    for (const f of forwards.values()) f.socket?.destroy();
    codec.close();
    tunnel.close();
  };
  // Frames leave in order: a SYN_REPLY (compressed, so asynchronous) before any data of its stream.
  const send = (make: () => Buffer | Promise<Buffer>) => {
    outbound = outbound.then(async () => void (closed || tunnel.write(await make()))).then(relieve).catch(shutdown);
  };
  const finish = (f: Forward, error?: string) => {
    if (f.done) return;
    f.done = true;
    if (f.errorStream !== undefined) {
      if (error) send(() => dataFrame(f.errorStream!, 0, Buffer.from(error)));
      send(() => dataFrame(f.errorStream!, FLAG_FIN, Buffer.alloc(0)));
    }
    if (f.dataStream !== undefined) send(() => dataFrame(f.dataStream!, FLAG_FIN, Buffer.alloc(0)));
  };

  // A pod that sends faster than the client reads waits: its sockets pause above HIGH_WATER queued bytes.
  let queued = 0;
  const paused = new Set<Socket>();
  const relieve = () => {
    if (queued + tunnel.buffered() > HIGH_WATER / 2) return;
    for (const s of paused) s.resume();
    paused.clear();
  };
  tunnel.onDrain(relieve);

  const open = (f: Forward, streamId: number) => {
    f.dataStream = streamId;
    if (!Number.isInteger(f.port) || f.port < 1 || f.port > 65535) return finish(f, `invalid port ${f.port}`);
    const socket = connect({ host: podIP, port: f.port });
    f.socket = socket;
    socket.on('data', (chunk) => {
      queued += chunk.length;
      send(() => {
        queued -= chunk.length;
        return dataFrame(streamId, 0, chunk);
      });
      if (queued + tunnel.buffered() > HIGH_WATER) {
        socket.pause();
        paused.add(socket);
      }
    });
    socket.on('end', () => finish(f));
    socket.on('error', (err) => finish(f, `error forwarding port ${f.port} to ${who}: ${err.message}`));
    socket.on('close', () => {
      forwards.delete(f.requestId);
      for (const id of [f.errorStream, f.dataStream]) if (id !== undefined) byStream.delete(id);
    });
  };

  const handle = async (frame: SpdyFrame) => {
    if (!frame.control) {
      const f = byStream.get(frame.streamId);
      if (f?.socket && frame.streamId === f.dataStream) {
        if (frame.data.length) f.socket.write(frame.data);
        if (frame.flags & FLAG_FIN) f.socket.end();
      }
      return;
    }
    const { type, payload } = frame;
    if (type === SYN_STREAM) {
      const streamId = streamIdOf(payload);
      const headers = await codec.read(payload.subarray(10));
      send(async () => controlFrame(SYN_REPLY, 0, Buffer.concat([payload.subarray(0, 4), await codec.write({})])));
      const requestId = headers.get('requestid') ?? String(streamId);
      const f = forwards.get(requestId) ?? { requestId, port: Number(headers.get('port')), done: false };
      forwards.set(requestId, f);
      byStream.set(streamId, f);
      if (headers.get('streamtype') === 'error') f.errorStream = streamId;
      else if (headers.get('streamtype') === 'data') open(f, streamId);
    } else if (type === HEADERS) {
      await codec.read(payload.subarray(4));
    } else if (type === PING) {
      send(() => controlFrame(PING, 0, payload));
    } else if (type === RST_STREAM) {
      const f = byStream.get(streamIdOf(payload));
      f?.socket?.destroy();
      byStream.delete(streamIdOf(payload));
    } else if (type === GOAWAY) {
      shutdown();
    }
    // SETTINGS and WINDOW_UPDATE change nothing here: client-go's spdystream does no flow control.
  };

  tunnel.onData((chunk) => {
    for (const frame of reader.push(chunk)) inbound = inbound.then(() => (closed ? undefined : handle(frame))).catch(shutdown);
  });
  tunnel.onClose(shutdown);
}
