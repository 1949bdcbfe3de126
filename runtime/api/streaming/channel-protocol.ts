/**
 * Kubernetes' channel protocols over WebSocket (apimachinery's wsstream):
 * every binary message is one channel byte and its data. exec and attach use
 * 0 stdin, 1 stdout, 2 stderr, 3 error (a Status JSON from v4 on), 4 resize;
 * v5 adds a close signal (channel 255, then the channel being closed).
 */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** What exec and attach speak, best first (v1-v3 carry the error as text, not a Status: not served). */
export const REMOTE_COMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** SPDY's port-forward protocol, and its name when tunneled in a WebSocket (kubectl 1.31+). */
export const SPDY_PORT_FORWARD = 'portforward.k8s.io';
export const SPDY_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

/** What port-forward over WebSocket speaks: the SPDY tunnel (kubectl) or the channel protocol (client-node's PortForward). */
export const PORT_FORWARD_PROTOCOLS = [SPDY_TUNNEL, 'v4.channel.k8s.io'] as const;

/** The first protocol the client offers (`Sec-WebSocket-Protocol`, in its order) that we serve. */
export function negotiateProtocol(offered: string | undefined, served: readonly string[]): string | undefined {
  const wanted = (offered ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return wanted.find((p) => served.includes(p));
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}
