import { Agent } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** What makes two of client-node's agents interchangeable: the TLS options it copies from the kubeconfig. */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/**
 * An idle socket is closed after this long, before the server closes it
 * (Node's servers after 5 s): a request sent on a socket the server is
 * closing fails with ECONNRESET. A server's shorter `Keep-Alive: timeout`
 * hint is honoured by Node's agent.
 */
const IDLE_SOCKET_MS = 4000;

/**
 * A KubeConfig whose API requests share one keep-alive HTTPS agent.
 * client-node (1.x) gives every request a new agent, so every request paid a
 * TLS handshake and a new SecureContext: most of a large sync's CPU. The
 * shared agent is made again when the TLS options change (a rotated client
 * certificate); proxy and plain-HTTP agents are left as client-node makes them.
 */
export class KeepAliveKubeConfig extends KubeConfig {
  private shared?: { key: string; agent: Agent };

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!(made instanceof Agent) || made.constructor !== Agent) return;
    const options = made.options as Record<string, unknown>;
    const key = JSON.stringify(TLS_OPTIONS.map((name) => String(options[name] ?? '')));
    if (this.shared?.key !== key) this.shared = { key, agent: new Agent({ ...options, keepAlive: true, timeout: IDLE_SOCKET_MS }) };
    context.setAgent(this.shared.agent);
  }
}
