import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded as they came. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect']);

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(joined.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/**
 * The request headers sent upstream: end-to-end headers as they came (Host
 * included, so the backend sees the name the user typed), plus
 * X-Forwarded-For (appended to), X-Forwarded-Host/Proto/Port and X-Real-IP.
 * `Expect` is dropped because the server has already answered 100-continue.
 * An upgrade keeps its `Connection: upgrade` and `Upgrade` headers.
 */
export function upstreamRequestHeaders(req: IncomingMessage, listenPort: number, upgrade: boolean): OutgoingHttpHeaders {
  const named = connectionTokens(req.headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  const client = clientAddress(req);
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  out['x-forwarded-host'] = req.headers.host ?? '';
  out['x-forwarded-proto'] = 'http';
  out['x-forwarded-port'] = String(listenPort);
  out['x-real-ip'] = client;
  if (upgrade) {
    out.connection = 'upgrade';
    out.upgrade = req.headers.upgrade ?? '';
  } else {
    out.connection = 'keep-alive';
  }
  return out;
}

/**
 * The response headers sent to the client, as a flat `[name, value, …]` list
 * so repeated headers (Set-Cookie) and their spelling survive.
 */
export function downstreamResponseHeaders(rawHeaders: readonly string[], keepUpgrade = false): string[] {
  const named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') for (const t of connectionTokens(rawHeaders[i + 1])) named.add(t);
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const keep = keepUpgrade && (name === 'connection' || name === 'upgrade');
    if (!keep && (HOP_BY_HOP.has(name) || named.has(name))) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
