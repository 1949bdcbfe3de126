import { createHash } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

export interface Backend {
  name: string;
  ip: string;
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** Requests answered. */
  hits: number;
  /** Upgraded (WebSocket) connections still open. */
  openUpgrades(): number;
  /** Resolves the pending `/stream` response's second half. */
  release(): void;
  close(): Promise<void>;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/**
 * An HTTP server on a pod-like loopback address. `/` answers JSON naming the
 * backend with the request line and headers; `/echo` streams the request body
 * back; `/stream` sends "first", then "second" once `release()` is called;
 * `/hang-up` closes the connection without answering. A WebSocket upgrade is
 * accepted and every text frame is echoed back prefixed with the backend's name.
 */
export async function startBackend(name: string, ip: string): Promise<Backend> {
  let releaseStream: () => void = () => {};
  const server = http.createServer((req, res) => {
    backend.hits++;
    if (req.url === '/echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      releaseStream = () => res.end('second\n');
      return;
    }
    if (req.url === '/hang-up') {
      req.socket.destroy();
      return;
    }
    req.resume();
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers }));
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => backend.connections++);
  const upgraded = new Set<net.Socket>();
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    // http.Server sockets are half-open: finish our side when the peer finishes theirs.
    socket.once('end', () => socket.end());
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${websocketAccept(String(req.headers['sec-websocket-key']))}\r\n\r\n`,
    );
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let frame = decodeFrame(pending); frame; frame = decodeFrame(pending)) {
        pending = pending.subarray(frame.length);
        socket.write(encodeFrame(`${name}: ${frame.text}`, false));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, () => resolve());
  });
  const backend: Backend = {
    name,
    ip,
    port: (server.address() as net.AddressInfo).port,
    connections: 0,
    hits: 0,
    openUpgrades: () => upgraded.size,
    release: () => releaseStream(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return backend;
}

/** One unfragmented text frame (payload < 126 bytes); clients must mask, servers must not. */
export function encodeFrame(text: string, masked: boolean): Buffer {
  const payload = Buffer.from(text);
  const mask = masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ mask[i % 4] : b)));
  return Buffer.concat([Buffer.from([0x81, (masked ? 0x80 : 0) | payload.length]), mask, body]);
}

export function decodeFrame(buf: Buffer): { text: string; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const masked = (buf[1] & 0x80) !== 0;
  const len = buf[1] & 0x7f;
  const start = 2 + (masked ? 4 : 0);
  if (buf.length < start + len) return undefined;
  const mask = buf.subarray(2, 6);
  const body = Buffer.from(buf.subarray(start, start + len).map((b, i) => (masked ? b ^ mask[i % 4] : b)));
  return { text: body.toString(), length: start + len };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request to the ingress at 127.0.0.1:port with the given Host header, on a fresh connection. */
export function request(port: number, host: string, path = '/', init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', agent: false, headers: { host, ...init.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

