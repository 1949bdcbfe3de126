import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Transport } from './query-handler.js';

/** A TCP client idle this long is disconnected (RFC 7766 suggests seconds, not minutes). */
const TCP_IDLE_MS = 10_000;
/** With port 0, tries to find a port free for both UDP and TCP. */
const FREE_PORT_TRIES = 10;

export type MessageHandler = (message: Buffer, transport: Transport) => Promise<Buffer | undefined>;

export interface DnsListeners {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens for DNS messages on `host:port` over UDP and over TCP (each message
 * behind a two-byte length, RFC 1035 4.2.2), on the same port number; port 0
 * picks a port free for both.
 */
export async function listenDns(host: string, port: number, handle: MessageHandler, logger: Logger): Promise<DnsListeners> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(host, port, handle, logger);
    const udpPort = udp.address().port;
    try {
      const tcp = await listenTcp(host, udpPort, handle, logger);
      return {
        host,
        port: udpPort,
        async close() {
          await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), tcp.close()]);
        },
      };
    } catch (error) {
      udp.close();
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !taken || attempt === FREE_PORT_TRIES) throw error;
    }
  }
}

function bindUdp(host: string, port: number, handle: MessageHandler, logger: Logger): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', (error) => logger.warn({ err: error }, 'cluster DNS: UDP socket error'));
      resolve(socket);
    });
    socket.on('message', (message, client) => {
      handle(message, 'udp').then(
        (response) => {
          try {
            if (response) socket.send(response, client.port, client.address);
          } catch {
            // Closed while the answer was being worked out.
          }
        },
        (error) => logger.warn({ err: error }, 'cluster DNS: answering a UDP query failed'),
      );
    });
  });
}

async function listenTcp(host: string, port: number, handle: MessageHandler, logger: Logger): Promise<{ close(): Promise<void> }> {
  const clients = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    serveTcp(socket, handle, logger);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of clients) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads length-prefixed queries off one connection; answers go back in any order, each with its query's ID. */
function serveTcp(socket: net.Socket, handle: MessageHandler, logger: Logger): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
      buffered = buffered.subarray(2 + message.length);
      handle(message, 'tcp').then(
        (response) => {
          if (!response || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(response.length);
          socket.write(Buffer.concat([length, response]));
        },
        (error) => logger.warn({ err: error }, 'cluster DNS: answering a TCP query failed'),
      );
    }
  });
}
