import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

/** Agent options that make connections differ; a change (a rotated client certificate) starts a new agent. */
const CONNECTION_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * A KubeConfig whose API clients reuse connections. client-node 1.x gives
 * every request a new agent, so each one paid a TLS handshake on both ends
 * (about 20 ms of CPU each; a sync makes dozens of requests). Plain
 * http/https agents are swapped for one keep-alive agent per set of
 * connection options; proxy agents are left as they are.
 */
export class KeepAliveKubeConfig extends KubeConfig {
  private kept?: { key: string; agent: HttpAgent };

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!made || (made.constructor !== HttpsAgent && made.constructor !== HttpAgent)) return;
    const options = (made as HttpAgent & { options: Record<string, unknown> }).options;
    const key = `${made.constructor === HttpsAgent}|${CONNECTION_OPTIONS.map((name) => String(options[name] ?? '')).join('|')}`;
    if (this.kept?.key !== key) {
      this.kept?.agent.destroy();
      // Idle sockets close after 30 s, before servers drop them (the runtime keeps them 65 s).
      const agent = made.constructor === HttpsAgent ? new HttpsAgent({ ...options, keepAlive: true, timeout: 30_000 }) : new HttpAgent({ ...options, keepAlive: true, timeout: 30_000 });
      this.kept = { key, agent };
    }
    made.destroy();
    context.setAgent(this.kept.agent);
  }
}
