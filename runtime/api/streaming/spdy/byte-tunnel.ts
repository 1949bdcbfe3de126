import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** A byte stream a SPDY connection runs over: a hijacked socket, or binary WebSocket messages (client-go's tunneling connection). */
export interface ByteTunnel {
  write(chunk: Buffer): void;
  close(): void;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
}

export function webSocketTunnel(ws: WebSocket): ByteTunnel {
  return {
    write: (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    },
    close: () => ws.close(1000),
    onData: (listener) => void ws.on('message', (data: Buffer) => listener(data)),
    onClose: (listener) => void ws.on('close', listener),
  };
}

export function socketTunnel(socket: Duplex): ByteTunnel {
  return {
    write: (chunk) => {
      if (socket.writable) socket.write(chunk);
    },
    close: () => socket.destroy(),
    onData: (listener) => void socket.on('data', listener),
    onClose: (listener) => void socket.once('close', listener),
  };
}
