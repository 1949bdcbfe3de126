import net from 'node:net';
import type { ListenerSpec } from './service-ports.js';

/**
 * One listening socket of a Service port. Which endpoints it feeds can change
 * under it (`target`), so an Endpoints update never closes the socket.
 */
export class PortListener {
  spec: ListenerSpec;
  /** Handles every accepted (paused) connection. */
  target: (socket: net.Socket) => void;
  /** Set when the socket failed after it was listening; the owner replaces the listener. */
  brokenBy?: Error;
  private readonly server: net.Server;

  constructor(spec: ListenerSpec, target: (socket: net.Socket) => void, onBroken: (error: Error) => void) {
    this.spec = spec;
    this.target = target;
    this.server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.target(socket));
    this.server.on('error', (error) => {
      if (!this.server.listening) return;
      this.brokenBy = error;
      onBroken(error);
    });
  }

  /** Binds the socket; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES…). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host: this.spec.host, port: this.spec.port, exclusive: true }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Stops accepting at once; connections already spliced keep going until they end. */
  close(): void {
    if (this.server.listening) this.server.close();
  }
}
