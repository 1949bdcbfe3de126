import http from 'node:http';
import type net from 'node:net';
import { pipeline } from 'node:stream';
import { endpointKey, NoReadyEndpointError, type Endpoint, type EndpointPicker } from '../proxy/index.js';
import { downstreamResponseHeaders } from './forwarded-headers.js';
import { sendPlain } from './plain-response.js';

export interface HttpForwarderOptions {
  /** A connect attempt to one endpoint is abandoned (and another tried) after this long. */
  connectTimeoutMs: number;
  /** Called when a request fails upstream, for logs. */
  onError?: (error: Error, endpoint: Endpoint | undefined) => void;
}

type Attempt = { kind: 'done' } | { kind: 'retry'; error: Error; connectFailed: boolean };

/**
 * Sends HTTP requests to ready endpoints over pooled keep-alive connections.
 * The endpoint is chosen round-robin by the Service's picker (the proxy's own),
 * then a pooled connection to it is reused or a new one made. A request moves
 * to another endpoint only when nothing of it can have been processed: the
 * connection was refused or timed out (the body is not read until connected),
 * or a reused idle connection turned out closed and the request has no body.
 */
export class HttpForwarder {
  private readonly agent = new http.Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 64 });

  constructor(private readonly options: HttpForwarderOptions) {}

  async forward(req: http.IncomingMessage, res: http.ServerResponse, picker: EndpointPicker, headers: http.OutgoingHttpHeaders, what: string): Promise<void> {
    const bodiless = !req.headers['transfer-encoding'] && (req.headers['content-length'] ?? '0') === '0';
    const tried = new Set<string>();
    let lastError: Error | undefined;
    let staleRetries = 0;
    while (!res.destroyed) {
      const endpoint = picker.pick(tried);
      if (!endpoint) break;
      const attempt = await this.attempt(req, res, endpoint, picker, headers, bodiless);
      if (attempt.kind === 'done') return;
      lastError = attempt.error;
      if (attempt.connectFailed) tried.add(endpointKey(endpoint));
      else if (++staleRetries > 2) break;
    }
    if (res.destroyed) return;
    const error = new NoReadyEndpointError(tried.size, lastError);
    this.options.onError?.(error, undefined);
    if (tried.size === 0 && staleRetries === 0) sendPlain(res, 503, `503 Service Unavailable: no ready endpoints for ${what}\n`);
    else sendPlain(res, 502, `502 Bad Gateway: ${what}: ${error.message}\n`);
  }

  /** Closes pooled connections; requests in flight keep theirs. */
  destroy(): void {
    this.agent.destroy();
  }

  private attempt(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    endpoint: Endpoint,
    picker: EndpointPicker,
    headers: http.OutgoingHttpHeaders,
    bodiless: boolean,
  ): Promise<Attempt> {
    return new Promise((resolve) => {
      const upstream = http.request({ agent: this.agent, host: endpoint.ip, port: endpoint.port, method: req.method, path: req.url, headers });
      let connected = false;
      let reused = false;
      let responded = false;
      let settled = false;
      const settle = (attempt: Attempt) => {
        settled = true;
        resolve(attempt);
      };
      let timer: NodeJS.Timeout | undefined;
      const onClientGone = () => {
        if (!res.writableFinished) upstream.destroy();
      };
      res.once('close', onClientGone);
      const sendBody = () => {
        if (bodiless) upstream.end();
        else req.pipe(upstream);
      };
      upstream.once('socket', (socket: net.Socket) => {
        if (!socket.connecting) {
          connected = reused = true;
          sendBody();
          return;
        }
        timer = setTimeout(() => upstream.destroy(Object.assign(new Error(`connect ETIMEDOUT ${endpointKey(endpoint)}`), { code: 'ETIMEDOUT' })), this.options.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          connected = true;
          picker.reportConnectSuccess(endpoint);
          sendBody();
        });
      });
      upstream.once('response', (upstreamRes) => {
        responded = true;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, downstreamResponseHeaders(upstreamRes.rawHeaders));
        res.flushHeaders();
        pipeline(upstreamRes, res, (error) => {
          res.off('close', onClientGone);
          if (error) {
            upstream.destroy();
            this.options.onError?.(error, endpoint);
          }
          settle({ kind: 'done' });
        });
      });
      upstream.on('error', (error) => {
        clearTimeout(timer);
        if (responded || settled) return;
        res.off('close', onClientGone);
        if (res.destroyed) return settle({ kind: 'done' });
        if (!connected) {
          picker.reportConnectFailure(endpoint);
          return settle({ kind: 'retry', error, connectFailed: true });
        }
        // A kept-alive connection the backend closed just as we reused it: nothing was processed.
        if (reused && bodiless) return settle({ kind: 'retry', error, connectFailed: false });
        this.options.onError?.(error, endpoint);
        sendPlain(res, 502, `502 Bad Gateway: ${endpointKey(endpoint)}: ${error.message}\n`);
        settle({ kind: 'done' });
      });
      // Destroyed without an error (the client went away first): nothing more to do.
      upstream.once('close', () => {
        clearTimeout(timer);
        if (responded || settled) return;
        res.off('close', onClientGone);
        sendPlain(res, 502, `502 Bad Gateway: ${endpointKey(endpoint)}: connection closed before a response\n`);
        settle({ kind: 'done' });
      });
    });
  }
}
