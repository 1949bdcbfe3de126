import type { Agent as HttpAgent } from 'node:http';
import { Agent as UndiciAgent, type Dispatcher } from 'undici';

/** The TLS options of an agent that undici's connector takes as they are. */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** Dispatchers by the kept agent they stand for (keep-alive-kube-config.ts). */
const dispatchers = new WeakMap<HttpAgent, Dispatcher>();

/**
 * An undici dispatcher that connects as `agent` would (its CA, client
 * certificate and key, verification and server name) and keeps idle
 * connections `idleMs` at most, or the server's Keep-Alive hint less a second
 * when shorter, as Node's agent does. Requests to it are sent through undici
 * instead of node:http (node-http-library.ts): Node's ClientRequest, agent
 * bookkeeping and socket listeners per request were the largest share of a
 * request's CPU in the client. Closed by `closeDispatcher` with the agent.
 */
export function keepDispatcher(agent: HttpAgent, options: Record<string, unknown>, idleMs: number): Dispatcher {
  const connect = Object.fromEntries(TLS_OPTIONS.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]));
  const dispatcher = new UndiciAgent({ connect, keepAliveTimeout: idleMs, keepAliveMaxTimeout: idleMs });
  dispatchers.set(agent, dispatcher);
  return dispatcher;
}

/** The dispatcher kept for `agent`, if any: other agents (proxies, agents made elsewhere) are sent through node:http(s). */
export function dispatcherOf(agent: HttpAgent | undefined): Dispatcher | undefined {
  return agent === undefined ? undefined : dispatchers.get(agent);
}

/** Closes the dispatcher kept for `agent`: requests in flight finish, idle connections close. */
export function closeDispatcher(agent: HttpAgent): void {
  const dispatcher = dispatchers.get(agent);
  dispatchers.delete(agent);
  dispatcher?.close().catch(() => undefined);
}
