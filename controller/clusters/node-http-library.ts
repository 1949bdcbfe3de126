import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { HttpLibrary, RequestContext } from '@kubernetes/client-node';
import { ResponseContext, wrapHttpLibrary } from './kube-client.js';

/**
 * What node-fetch sent when a request named none: the API server derives the
 * field manager of a write without `fieldManager` from the User-Agent, so
 * those managedFields keep their name (`node-fetch`).
 */
const DEFAULT_HEADERS = { 'User-Agent': 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', Accept: '*/*', 'Accept-Encoding': 'gzip,deflate' };

/**
 * client-node's HttpLibrary over node:http(s), in place of its default
 * (node-fetch): client-node still builds, authenticates and reads every
 * request; this only sends it, on the agent its authentication chose (the
 * kept keep-alive one), and hands the body back whole. node-fetch's Request,
 * Headers and stream plumbing were the largest JS cost per request after
 * client-node's own serializing (a large app's apply sends two per object).
 * A connection failure is shaped as node-fetch's (`type: 'system'`, `code`),
 * which classifyApiError reads as unreachable.
 */
export const nodeHttpLibrary: HttpLibrary = wrapHttpLibrary({ send });

async function send(context: RequestContext): Promise<ResponseContext> {
  const url = new URL(context.getUrl());
  const body = context.getBody();
  if (body !== undefined && typeof body !== 'string') throw new TypeError('nodeHttpLibrary sends string bodies only');
  const headers: Record<string, string> = { ...DEFAULT_HEADERS, ...context.getHeaders() };
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  const signal = context.getSignal();
  signal?.throwIfAborted();
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const options = { method: context.getHttpMethod(), headers, agent: context.getAgent() as HttpAgent | undefined, signal };
    const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, resolve);
    req.on('error', (err) => reject(systemError(url, err)));
    req.end(body);
  });
  const text = readBody(response).catch((err: Error) => Promise.reject(systemError(url, err)));
  // A body left unread would hold its socket; a rejection nobody awaits is not an unhandled one.
  text.catch(() => undefined);
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return new ResponseContext(response.statusCode ?? 0, responseHeaders, { text: async () => (await text).toString('utf8'), binary: () => text });
}

/** The whole body, decoded as its Content-Encoding says; read by events, which cost less than an async iterator per response. */
function readBody(response: IncomingMessage): Promise<Buffer> {
  const encoding = response.headers['content-encoding'];
  const decoded = encoding === 'gzip' || encoding === 'x-gzip' ? response.pipe(createGunzip()) : encoding === 'deflate' ? response.pipe(createInflate()) : encoding === 'br' ? response.pipe(createBrotliDecompress()) : response;
  if (decoded !== response) response.on('error', (err) => decoded.destroy(err));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    decoded.on('data', (chunk: Buffer) => chunks.push(chunk));
    decoded.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    decoded.on('error', reject);
  });
}

/** node-fetch's FetchError for a request that got no answer: its message, `type: 'system'`, and the system error's code. */
function systemError(url: URL, err: Error & { code?: string; errno?: number }): Error {
  if (err.name === 'AbortError') return err;
  return Object.assign(new Error(`request to ${url.href} failed, reason: ${err.message}`, { cause: err }), { name: 'FetchError', type: 'system', code: err.code, errno: err.errno });
}
