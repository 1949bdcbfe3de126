import http from 'node:http';
import type net from 'node:net';
import { dialEndpoint, NoReadyEndpointError, type EndpointPicker } from '../proxy/index.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';
import { sendPlainOnSocket } from './plain-response.js';

export interface UpgradeOptions {
  connectTimeoutMs: number;
  onError?: (error: Error) => void;
}

/**
 * Passes an `Upgrade` request (WebSocket) to one ready endpoint on a fresh
 * connection and, once the backend switches protocols, splices the two
 * sockets for the rest of their life. A refused connect moves to another
 * endpoint (dialEndpoint); a backend that declines the upgrade has its answer
 * relayed as is.
 */
export async function forwardUpgrade(
  req: http.IncomingMessage,
  client: net.Socket,
  head: Buffer,
  picker: EndpointPicker,
  headers: http.OutgoingHttpHeaders,
  what: string,
  options: UpgradeOptions,
): Promise<void> {
  const abort = new AbortController();
  const onEarlyClose = () => abort.abort();
  client.once('close', onEarlyClose);
  client.on('error', () => client.destroy());
  let upstreamSocket: net.Socket;
  try {
    ({ socket: upstreamSocket } = await dialEndpoint(picker, { connectTimeoutMs: options.connectTimeoutMs, signal: abort.signal }));
  } catch (error) {
    client.off('close', onEarlyClose);
    const none = error instanceof NoReadyEndpointError && error.data.attempts === 0;
    if (!none) options.onError?.(error as Error);
    sendPlainOnSocket(client, none ? 503 : 502, none ? `503 Service Unavailable: no ready endpoints for ${what}\n` : `502 Bad Gateway: ${what}: ${(error as Error).message}\n`);
    return;
  }
  client.off('close', onEarlyClose);
  if (client.destroyed) {
    upstreamSocket.destroy();
    return;
  }

  const upstream = http.request({ createConnection: () => upstreamSocket, method: req.method, path: req.url, headers });
  upstream.on('upgrade', (res, socket, upstreamHead) => {
    client.write(statusBlock(res, true));
    if (upstreamHead.length) client.write(upstreamHead);
    if (head.length) socket.write(head);
    splice(client, socket);
  });
  upstream.on('response', (res) => {
    // The backend answered without switching protocols: relay that answer, then close.
    client.write(statusBlock(res, false));
    res.pipe(client);
  });
  upstream.on('error', (error) => {
    options.onError?.(error);
    sendPlainOnSocket(client, 502, `502 Bad Gateway: ${what}: ${error.message}\n`);
    upstreamSocket.destroy();
  });
  client.once('close', () => upstream.destroy());
  upstream.end();
}

function statusBlock(res: http.IncomingMessage, upgraded: boolean): string {
  const headers = downstreamResponseHeaders(res.rawHeaders, upgraded);
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`];
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
  // A relayed refusal is sent close-delimited: its body was already de-chunked by the parser.
  if (!upgraded) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function splice(a: net.Socket, b: net.Socket): void {
  a.setNoDelay(true);
  b.setNoDelay(true);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.once('close', () => b.destroy());
  b.once('close', () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}
