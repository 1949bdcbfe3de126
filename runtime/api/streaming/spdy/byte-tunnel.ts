import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** A byte stream a SPDY connection runs over: a hijacked socket, or binary WebSocket messages (client-go's tunneling connection). */
export interface ByteTunnel {
  write(chunk: Buffer): void;
  /** Bytes written but not yet handed to the kernel. */
  buffered(): number;
  /** Called whenever buffered bytes have gone out. */
  onDrain(listener: () => void): void;
  close(): void;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: () => void): void;
}

export function webSocketTunnel(ws: WebSocket): ByteTunnel {
  const drained: Array<() => void> = [];
  return {
    write: (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }, () => drained.forEach((l) => l()));
    },
    buffered: () => ws.bufferedAmount,
    onDrain: (listener) => void drained.push(listener),
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
    buffered: () => socket.writableLength,
    onDrain: (listener) => void socket.on('drain', listener),
    close: () => socket.destroy(),
    onData: (listener) => void socket.on('data', listener),
    onClose: (listener) => void socket.once('close', listener),
  };
}
