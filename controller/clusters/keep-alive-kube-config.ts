import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isAscii } from 'node:buffer';
import { createConfiguration, KubeConfig, ServerConfiguration } from './kube-client.js';
import type { ApiConstructor, ApiType, RequestContext } from '@kubernetes/client-node';
import { nodeHttpLibrary } from './node-http-library.js';

/** Agent options that make connections differ; a change (a rotated client certificate) starts a new agent. */
const CONNECTION_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * An idle socket is closed after this long, before the server closes it: a
 * request sent on a socket the server is closing fails with ECONNRESET. A
 * server's `Keep-Alive: timeout` hint, less a second, wins when shorter
 * (Node's agent honours it: 4 s for Node's default 5 s, 30 s for the
 * built-in runtime's 65 s). Long enough that syncs a few seconds apart reuse
 * their connections instead of handshaking again on both ends.
 */
const IDLE_SOCKET_MS = 30_000;

/**
 * A KubeConfig whose API clients reuse connections and send through
 * node:https (node-http-library.ts) instead of node-fetch. client-node 1.x gives
 * every request a new agent, so each one paid a TLS handshake on both ends
 * (about 20 ms of CPU each; a sync makes dozens of requests, a large app
 * thousands). Plain http/https agents are swapped for one keep-alive agent
 * per set of connection options; proxy agents are left as they are.
 */
export class KeepAliveKubeConfig extends KubeConfig {
  private kept?: { https: boolean; options: Record<string, unknown>; agent: HttpAgent };

  /** As KubeConfig's, with nodeHttpLibrary as the clients' http library. */
  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: this }, httpApi: nodeHttpLibrary }));
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!made || (made.constructor !== HttpsAgent && made.constructor !== HttpAgent)) return;
    const options = (made as HttpAgent & { options: Record<string, unknown> }).options;
    const https = made.constructor === HttpsAgent;
    if (this.kept?.https !== https || !CONNECTION_OPTIONS.every((name) => sameOption(this.kept!.options[name], options[name]))) {
      this.kept?.agent.destroy();
      const keepAlive = { ...options, ...pemAsText(options), keepAlive: true, timeout: IDLE_SOCKET_MS };
      const agent = https ? new HttpsAgent(keepAlive) : new HttpAgent(keepAlive);
      this.kept = { https, options, agent };
    }
    made.destroy();
    context.setAgent(this.kept.agent);
  }
}

/** Whether two values of one agent option are the same: certificates come as a new Buffer each request, compared by content. */
function sameOption(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/**
 * The PEM buffers of `options` (CA, client certificate and key) as text, which
 * TLS reads alike. An agent names each request's connection pool by
 * concatenating these options (Agent#getName): from Buffers that decoded
 * them to text on every request, a few KiB of garbage each. Non-ASCII buffers
 * are left as they are.
 */
function pemAsText(options: Record<string, unknown>): Record<string, string> {
  const text: Record<string, string> = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const value = options[name];
    if (Buffer.isBuffer(value) && isAscii(value)) text[name] = value.toString('latin1');
  }
  return text;
}
