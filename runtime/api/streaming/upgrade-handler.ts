import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { badRequest, notFound, StatusError, unauthorized } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { admitRequest, type AccessControl } from '../auth/access-control.js';
import { carriesToken } from '../auth/bearer-auth.js';
import type { ApiContext, PodStreamProvider } from '../handlers/api-context.js';
import { flagValue } from '../request/query-options.js';
import { toStatusError } from '../send-status.js';
import { ERROR, frame, negotiateProtocol, PORT_FORWARD_PROTOCOLS, REMOTE_COMMAND_PROTOCOLS, SPDY_PORT_FORWARD, SPDY_TUNNEL, STDOUT } from './channel-protocol.js';
import { socketTunnel, webSocketTunnel } from './spdy/byte-tunnel.js';
import { runSpdyPortForward } from './spdy/spdy-port-forward.js';
import { pump, relayStdin, runExecSession } from './exec-session.js';
import { exitStatus } from './exit-status.js';
import { runPortForwardSession } from './port-forward-session.js';

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;

export interface UpgradeHandlerOptions {
  context: Pick<ApiContext, 'cluster' | 'streams'>;
  /** The bearer token every request must carry, as for the rest of the API. */
  token: string;
  /**
   * Authentication and RBAC as for the rest of the API (`create` on the subresource is needed too).
   * @defaultValue undefined — the admin token alone
   */
  access?: AccessControl;
}

/** Upgrades whose answer names the SPDY tunnel subprotocol. */
const spdyTunnels = new WeakSet<IncomingMessage>();

/** The server's `upgrade` listener; `closeAll()` ends every open session (the server's own close leaves upgraded sockets alone). */
export interface UpgradeHandler {
  (req: IncomingMessage, socket: Duplex, head: Buffer): void;
  closeAll(): void;
}

/**
 * The HTTP server's `upgrade` listener: exec, attach and port-forward over
 * WebSocket, as kubectl 1.32 and client-node ask for them. Everything refused
 * before the upgrade is answered with a Kubernetes Status (kubectl then tries
 * SPDY, is refused the same way, and prints the Status' message).
 */
export function createUpgradeHandler(options: UpgradeHandlerOptions): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('headers', (headers, req) => {
    if (spdyTunnels.has(req)) headers.push(`Sec-WebSocket-Protocol: ${SPDY_TUNNEL}`);
  });
  const open = new Set<Duplex>();
  const handler = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    void upgrade(options, wss, req, socket, head).catch((err) => refuse(socket, err));
  };
  return Object.assign(handler, {
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  });
}

async function upgrade(options: UpgradeHandlerOptions, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://runtime');
  if (options.access) await admitRequest(options.access, req, url.pathname, Object.fromEntries(url.searchParams), ['create']);
  else if (!carriesToken(req.headers.authorization, options.token)) throw unauthorized();
  const match = PATH.exec(url.pathname);
  if (!match) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`);
  const [, namespace, name, subresource] = match.map(decodeURIComponent);
  const { streams } = options.context;
  const pod = await options.context.cluster.get(resources.pods, namespace, name);

  if (subresource === 'portforward') return portForward(req, socket, head, wss, pod, url.searchParams);
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw badRequest(`${subresource} over ${req.headers.upgrade ?? 'this upgrade'} is not served by this runtime: use WebSockets (kubectl 1.30+ and client-node do)`);
  if (!streams) throw notFound('pods', name);
  const query = url.searchParams;
  // From here on errors travel as a Status on the error channel: refusing the upgrade would send kubectl to SPDY, hiding them.
  const protocol = negotiateProtocol(req.headers['sec-websocket-protocol'], REMOTE_COMMAND_PROTOCOLS);
  if (!protocol) throw badRequest(`none of the offered WebSocket subprotocols is served (${REMOTE_COMMAND_PROTOCOLS.join(', ')} are)`);
  wss.handleUpgrade(req, socket, head, (ws) => {
    remoteCommand(ws, streams!, pod, subresource as 'exec' | 'attach', query).catch((err) => {
      const status = toStatusError(err).toStatus();
      if (ws.readyState === ws.OPEN) ws.send(frame(ERROR, JSON.stringify(status)));
      ws.close(1000);
    });
  });
}

async function remoteCommand(ws: WebSocket, streams: PodStreamProvider, pod: KubeObject, subresource: 'exec' | 'attach', query: URLSearchParams): Promise<void> {
  // As kube-apiserver decodes PodExecOptions/PodAttachOptions (runtime.Convert_Slice_string_To_bool, not
  // strconv.ParseBool): false only when absent, "0" or "false" in any case; anything else, even empty, is true.
  const flag = (key: string) => flagValue({ [key]: query.getAll(key) }, key);
  const container = query.get('container') || undefined;
  const stdin = flag('stdin');
  const stdout = flag('stdout');
  const stderr = flag('stderr');
  const tty = flag('tty');
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (subresource === 'attach') {
    if (tty) throw badRequest('attach with a TTY (-t) is not served by this runtime: containers run without a terminal; attach without -t');
    const { output, stdin: input } = streams.attach(pod, { container, stdin });
    pump(ws, output, stdout ? STDOUT : undefined);
    output.on('end', () => {
      if (ws.readyState === ws.OPEN) ws.send(frame(ERROR, JSON.stringify(exitStatus([], 0))));
      ws.close(1000);
    });
    if (input) relayStdin(ws, input);
    ws.on('close', () => {
      output.destroy();
      input?.end();
    });
    return;
  }
  const command = query.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least one command for the container');
  if (ws.readyState !== ws.OPEN) return;
  const exec = await streams.exec(pod, { container, command, stdin, tty });
  if (ws.readyState !== ws.OPEN) return exec.kill();
  runExecSession(ws, exec, { command, stdout, stderr });
}

/**
 * kubectl 1.32 speaks SPDY for port-forward, tunneled in a WebSocket
 * (`SPDY/3.1+portforward.k8s.io`) or, when that is refused, on a plain
 * `Upgrade: SPDY/3.1`; client-node speaks the channel protocol (v4).
 */
function portForward(req: IncomingMessage, socket: Duplex, head: Buffer, wss: WebSocketServer, pod: KubeObject, query: URLSearchParams): void {
  const podIP = runningPodIP(pod);
  const who = `pod ${pod.metadata.namespace}/${pod.metadata.name}`;
  if ((req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1') {
    const wanted = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
    if (!wanted.includes(SPDY_PORT_FORWARD)) throw badRequest(`port-forward over SPDY needs X-Stream-Protocol-Version: ${SPDY_PORT_FORWARD}`);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${SPDY_PORT_FORWARD}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    return runSpdyPortForward(socketTunnel(socket), podIP, who);
  }
  const protocol = negotiateProtocol(req.headers['sec-websocket-protocol'], PORT_FORWARD_PROTOCOLS);
  if (!protocol) throw badRequest(`none of the offered WebSocket subprotocols is served (${PORT_FORWARD_PROTOCOLS.join(', ')} are)`);
  if (protocol === SPDY_TUNNEL) {
    // ws rejects a subprotocol with a '/' (not an RFC 7230 token); it is answered in the 'headers' event instead.
    delete req.headers['sec-websocket-protocol'];
    spdyTunnels.add(req);
    wss.handleUpgrade(req, socket, head, (ws) => runSpdyPortForward(webSocketTunnel(ws), podIP, who));
    return;
  }
  const ports = query.getAll('ports').flatMap((p) => p.split(',')).map((p) => Number(p.trim()));
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw badRequest('ports must be given, each an integer between 1 and 65535');
  wss.handleUpgrade(req, socket, head, (ws) => runPortForwardSession(ws, podIP, ports, who));
}

function runningPodIP(pod: KubeObject): string {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot port-forward to a completed pod; current phase is ${phase}`);
  const ip = pod.status?.podIP as string | undefined;
  if (!ip) throw badRequest(`pod ${pod.metadata.name} does not have an IP yet`);
  return ip;
}

/** Answers a refused upgrade with the Status as plain HTTP, and closes the connection. */
function refuse(socket: Duplex, err: unknown): void {
  const status = toStatusError(err);
  const body = JSON.stringify(status.toStatus());
  const reason = status.code === 401 ? 'Unauthorized' : status.code === 404 ? 'Not Found' : status.code === 400 ? 'Bad Request' : 'Error';
  if (!socket.writable) return;
  socket.end(`HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
