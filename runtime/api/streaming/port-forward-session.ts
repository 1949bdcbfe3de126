import { connect } from 'node:net';
import type { WebSocket } from 'ws';
import { frame } from './channel-protocol.js';

/**
 * `pods/{name}/portforward` in its WebSocket form (v4.channel.k8s.io, as
 * client-node's PortForward speaks it): port i has data channel 2i and error
 * channel 2i+1; the server's first message on each is the port as two
 * little-endian bytes. Each port is one TCP connection to `podIP:port`.
 */
export function runPortForwardSession(ws: WebSocket, podIP: string, ports: number[], who: string): void {
  const sockets = ports.map((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    ws.send(frame(2 * i, prefix));
    ws.send(frame(2 * i + 1, prefix));
    const socket = connect({ host: podIP, port });
    socket.on('data', (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(2 * i, chunk));
    });
    socket.on('error', (err) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(2 * i + 1, `error forwarding port ${port} to ${who}: ${err.message}`));
      ws.close(1000);
    });
    socket.on('close', () => ws.close(1000));
    return socket;
  });
  ws.on('message', (data: Buffer) => {
    if (data.length === 0 || data[0] % 2 !== 0) return;
    sockets[data[0] / 2]?.write(data.subarray(1));
  });
  ws.on('close', () => {
    for (const s of sockets) s.destroy();
  });
}
