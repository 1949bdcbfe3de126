// The shop's one HTTP server. Every service runs this file with its own routes module:
//
//   node server.mjs ./routes.mjs
//
// Only node: built-ins, so a pod needs nothing but `node` and the two files a ConfigMap mounts.
// It serves /healthz, /readyz and /version itself, calls upstream services through the
// Kubernetes service env vars (PRICING_SERVICE_HOST / PRICING_SERVICE_PORT), answers an upstream
// failure with a 502 JSON body instead of crashing, and drains in-flight requests on SIGTERM.
//
// A routes module exports `routes`, e.g. { 'GET /products/:id': async (ctx) => product }, and
// optionally `upstreams` (the services it calls). A handler gets
// ctx = { params, query, body, headers, env, requestId, call(service, path, { method, body }),
// fail(status, code, message), log(fields) } and returns a JSON body, an HTML string, or
// { status, body, headers }.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;
const routesFile = process.argv[2] ?? new URL('./routes.mjs', import.meta.url).pathname;
const service = await import(pathToFileURL(path.resolve(routesFile)).href);

const serviceName = env.SERVICE_NAME || service.name || path.basename(path.dirname(routesFile));
const version = env.APP_VERSION || 'dev';
const host = env.POD_IP || '127.0.0.1';
const port = Number(env.PORT || 8080);
const upstreamTimeoutMs = Number(env.UPSTREAM_TIMEOUT_MS || 2000);
// Below the pod's terminationGracePeriodSeconds (30 s by default) so we exit before SIGKILL.
const shutdownTimeoutMs = Number(env.SHUTDOWN_TIMEOUT_MS || 20000);
// Knob for the rollback demo: a release that never becomes ready, or crashes at start.
const simulateFailure = env.SIMULATE_FAILURE || '';
// With "true", /healthz fails while an upstream's service variables are missing, so the liveness
// probe restarts the container, and the restarted one gets the variables of Services made since.
const upstreamEnvRequired = env.UPSTREAM_ENV_REQUIRED === 'true';

/** A failure with an HTTP status, answered as JSON; routes raise it with ctx.fail(). */
class HttpError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function log(fields) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: serviceName, ...fields })}\n`);
}

// Kubernetes names service variables after the Service: "order-history" → ORDER_HISTORY_SERVICE_HOST.
const envPrefix = (name) => name.toUpperCase().replace(/-/g, '_');

function upstreamAddress(name) {
  const prefix = envPrefix(name);
  const svcHost = env[`${prefix}_SERVICE_HOST`];
  const svcPort = env[`${prefix}_SERVICE_PORT`];
  if (!svcHost || !svcPort) {
    throw new HttpError(502, 'upstream_not_configured', `${prefix}_SERVICE_HOST/_PORT are not set: ` +
      `the ${name} Service did not exist when this pod started (restart the pod once it does)`, { upstream: name });
  }
  return `http://${svcHost.includes(':') ? `[${svcHost}]` : svcHost}:${svcPort}`;
}

// A pooled keep-alive connection may point at a pod that has just started shutting down and closed
// it; the service proxy passes bytes through, so the request fails on that socket before the pod saw
// it. An idempotent request is sent again on a fresh connection, as browsers and curl do.
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

async function fetchRetryingStale(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      const idempotent = init.method === 'GET' || init.method === 'HEAD';
      if (!idempotent || attempt >= 3 || init.signal?.aborted || !STALE_CONNECTION.has(err.cause?.code)) throw err;
    }
  }
}

/**
 * Calls an upstream service and returns its JSON body (or its HTML, as a string). A 4xx answer is passed through with its
 * status (a missing product stays a 404); a 5xx, a refused connection or a timeout becomes a 502.
 */
async function call(name, urlPath, { method = 'GET', body, headers = {}, requestId } = {}) {
  const url = upstreamAddress(name) + urlPath;
  let res;
  try {
    res = await fetchRetryingStale(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(requestId ? { 'x-request-id': requestId } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(upstreamTimeoutMs),
    });
  } catch (err) {
    const reason = err.name === 'TimeoutError' ? `no answer within ${upstreamTimeoutMs} ms` : (err.cause?.code ?? err.message);
    throw new HttpError(502, 'upstream_unavailable', `${name} is unavailable: ${reason}`, { upstream: name, url });
  }
  const text = await res.text();
  // The storefront page travels as HTML; everything else between services is JSON.
  if (res.status < 400 && (res.headers.get('content-type') ?? '').startsWith('text/html')) return text;
  let data;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    throw new HttpError(502, 'upstream_bad_response', `${name} answered ${res.status} with a body that is not JSON`,
      { upstream: name, url });
  }
  if (res.status >= 500) {
    throw new HttpError(502, 'upstream_error', `${name} answered ${res.status}`, { upstream: name, url, cause: data });
  }
  if (res.status >= 400) {
    throw new HttpError(res.status, data?.error ?? 'upstream_rejected', data?.message ?? `${name} answered ${res.status}`,
      { upstream: name });
  }
  return data;
}

function compileRoutes(table) {
  return Object.entries(table).map(([key, handler]) => {
    const [method, pattern] = key.split(' ');
    const names = [];
    const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, n) => {
      names.push(n);
      return '([^/]+)';
    });
    return { method, regex: new RegExp(`^${source}/?$`), names, handler };
  });
}

const routes = compileRoutes(service.routes ?? {});
const upstreams = service.upstreams ?? [];
let draining = false;
let inFlight = 0;

const missingUpstreams = upstreams.filter((u) => !env[`${envPrefix(u)}_SERVICE_HOST`] || !env[`${envPrefix(u)}_SERVICE_PORT`]);

const builtins = {
  '/healthz': () => {
    if (upstreamEnvRequired && missingUpstreams.length > 0) {
      throw new HttpError(503, 'missing_upstreams', `no service variables for ${missingUpstreams.join(', ')}: ` +
        'their Services did not exist when this container started; a restart picks them up', { missing: missingUpstreams });
    }
    return { status: 'ok' };
  },
  '/readyz': () => {
    if (draining) throw new HttpError(503, 'draining', 'shutting down');
    if (simulateFailure === 'readiness') throw new HttpError(503, 'not_ready', 'SIMULATE_FAILURE=readiness');
    return { status: 'ready' };
  },
  '/version': () => ({ service: serviceName, version, pod: env.POD_NAME || env.HOSTNAME || os.hostname(), podIP: host }),
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 1_000_000) reject(new HttpError(413, 'body_too_large', 'request body over 1 MB'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'bad_json', 'request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  const isText = typeof body === 'string';
  const payload = isText ? body : `${JSON.stringify(body)}\n`;
  // Tell keep-alive clients to reconnect elsewhere once we drain, so server.close() can finish.
  if (draining) res.setHeader('connection', 'close');
  res.writeHead(status, {
    'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const requestId = req.headers['x-request-id'] || `${serviceName}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const started = Date.now();
  let status = 500;
  try {
    const builtin = req.method === 'GET' ? builtins[url.pathname] : undefined;
    let result;
    if (builtin) {
      result = builtin();
    } else {
      const route = routes.find((r) => r.method === req.method && r.regex.test(url.pathname));
      if (!route) throw new HttpError(404, 'not_found', `no route for ${req.method} ${url.pathname}`);
      const match = route.regex.exec(url.pathname);
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
      const ctx = {
        params,
        query: Object.fromEntries(url.searchParams),
        body,
        headers: req.headers,
        env,
        requestId,
        upstreams,
        call: (name, p, opts = {}) => call(name, p, { requestId, ...opts }),
        fail: (status, code, message, details) => {
          throw new HttpError(status, code, message, details);
        },
        log: (fields) => log({ requestId, ...fields }),
      };
      result = await route.handler(ctx);
    }
    // A handler returns a body, or { status, body, headers } when it needs more than 200 JSON.
    const reply = result && typeof result === 'object' && 'body' in result && 'status' in result ? result : { status: 200, body: result };
    status = reply.status;
    send(res, reply.status, reply.body, reply.headers);
  } catch (err) {
    if (err instanceof HttpError) {
      status = err.status;
      send(res, err.status, { error: err.code, message: err.message, service: serviceName, ...err.details });
    } else {
      status = 500;
      log({ level: 'error', requestId, msg: 'handler failed', error: err.stack ?? String(err) });
      send(res, 500, { error: 'internal', message: 'internal error', service: serviceName });
    }
  } finally {
    if (!builtins[url.pathname]) {
      log({ requestId, method: req.method, path: url.pathname, status, ms: Date.now() - started });
    }
  }
}

if (simulateFailure === 'crash') {
  log({ level: 'error', msg: 'SIMULATE_FAILURE=crash: exiting at start' });
  process.exit(1);
}

const server = http.createServer((req, res) => {
  inFlight++;
  res.on('close', () => inFlight--);
  handle(req, res);
});
// Longer than a typical proxy's idle timeout, so the proxy closes idle connections first.
server.keepAliveTimeout = 65_000;

server.listen(port, host, () => {
  log({ msg: 'listening', address: `${host}:${port}`, version, upstreams });
  if (missingUpstreams.length > 0) log({ level: 'warn', msg: 'no service variables for some upstreams', missing: missingUpstreams });
});
server.on('error', (err) => {
  log({ level: 'error', msg: 'cannot listen', address: `${host}:${port}`, error: err.message });
  process.exit(1);
});

function shutdown(signal) {
  if (draining) return;
  draining = true;
  log({ msg: 'draining', signal, inFlight });
  // Stop accepting; close() calls back once in-flight requests have answered and connections closed.
  server.close(() => {
    log({ msg: 'stopped' });
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => {
    log({ level: 'error', msg: 'drain timed out', inFlight });
    process.exit(1);
  }, shutdownTimeoutMs).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
