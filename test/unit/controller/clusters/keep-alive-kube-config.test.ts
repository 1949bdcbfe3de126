import { Agent as HttpsAgent } from 'node:https';
import { describe, expect, it, vi } from 'vitest';
import { KeepAliveKubeConfig } from '../../../../controller/clusters/keep-alive-kube-config.js';
import { ServerConfiguration } from '../../../../controller/clusters/kube-client.js';

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

function config(cert: string): KeepAliveKubeConfig {
  const kc = new KeepAliveKubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: b64(pem('CERTIFICATE', 'ca')) }],
    users: [{ name: 'u', certData: b64(cert), keyData: b64(pem('PRIVATE KEY', 'key')) }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function agentOf(kc: KeepAliveKubeConfig): Promise<HttpsAgent & { options: Record<string, unknown> }> {
  const context = new ServerConfiguration('https://127.0.0.1:6443', {}).makeRequestContext('/api/v1/namespaces', 'GET' as never);
  await kc.applySecurityAuthentication(context);
  return context.getAgent() as HttpsAgent & { options: Record<string, unknown> };
}

describe('KeepAliveKubeConfig', () => {
  it('gives every request the one kept keep-alive agent, its certificates as PEM text', async () => {
    const kc = config(pem('CERTIFICATE', 'client-1'));
    const first = await agentOf(kc);
    expect(first).toBeInstanceOf(HttpsAgent);
    expect(await agentOf(kc)).toBe(first);
    expect(first.options.keepAlive).toBe(true);
    expect(first.options.ca).toBe(pem('CERTIFICATE', 'ca'));
    expect(first.options.cert).toBe(pem('CERTIFICATE', 'client-1'));
    expect(first.options.key).toBe(pem('PRIVATE KEY', 'key'));
  });

  it('starts a new agent, and closes the old one, when the client certificate changes', async () => {
    const kc = config(pem('CERTIFICATE', 'client-1'));
    const first = await agentOf(kc);
    const destroyed = vi.spyOn(first, 'destroy');
    const rotated = config(pem('CERTIFICATE', 'client-2'));
    (kc as unknown as { users: unknown }).users = (rotated as unknown as { users: unknown }).users;
    const second = await agentOf(kc);
    expect(second).not.toBe(first);
    expect(destroyed).toHaveBeenCalled();
    expect(second.options.cert).toBe(pem('CERTIFICATE', 'client-2'));
    expect(await agentOf(kc)).toBe(second);
  });
});
