import type { ServerResponse } from 'node:http';
import type net from 'node:net';
import { STATUS_CODES } from 'node:http';

/** The ingress' own answers (404, 502, 503): short plain text, never cached. */
export function sendPlain(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed || res.writableEnded) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** The same answer on a raw socket, for upgrade requests that have no ServerResponse. */
export function sendPlainOnSocket(socket: net.Socket, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${text}`,
  );
}
