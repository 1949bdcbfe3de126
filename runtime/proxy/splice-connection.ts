import type net from 'node:net';
import { dialEndpoint, type DialOptions } from './dial-endpoint.js';
import type { Endpoint, EndpointPicker } from './endpoint-picker.js';

export interface SpliceHooks {
  onRetry?: (endpoint: Endpoint, error: Error) => void;
  /** The connection could not be made or broke with an error. */
  onError?: (error: Error) => void;
  /** Both sides are closed. */
  onClose?: () => void;
}

/**
 * Joins a client connection to one ready endpoint, byte for byte, for its whole
 * life: one upstream connection per client connection, so HTTP keep-alive and
 * any other protocol pass through unparsed.
 *
 * The client socket must arrive paused (`pauseOnConnect`): its first bytes wait
 * in the kernel buffer until an endpoint accepts, then flow to that endpoint, so
 * a refused attempt can move to another endpoint without losing anything.
 * With no endpoint left the client is reset, as a dead ClusterIP would be.
 */
export async function spliceConnection(
  client: net.Socket,
  picker: EndpointPicker,
  options: Pick<DialOptions, 'connectTimeoutMs'> & SpliceHooks = {},
): Promise<void> {
  const abort = new AbortController();
  const onEarlyClose = () => abort.abort();
  client.once('close', onEarlyClose);
  client.on('error', () => {});

  let upstream: net.Socket;
  try {
    ({ socket: upstream } = await dialEndpoint(picker, { ...options, signal: abort.signal }));
  } catch (error) {
    client.off('close', onEarlyClose);
    // A client that hung up while we dialled is not a failure of the Service.
    if (!client.destroyed) {
      client.resetAndDestroy();
      options.onError?.(error as Error);
    }
    options.onClose?.();
    return;
  }
  client.off('close', onEarlyClose);
  if (client.destroyed) {
    upstream.destroy();
    options.onClose?.();
    return;
  }

  client.setNoDelay(true);
  upstream.setNoDelay(true);
  let failed = false;
  const fail = (error: Error) => {
    if (failed) return;
    failed = true;
    options.onError?.(error);
  };
  // A reset on one side becomes a reset on the other, so neither waits on a dead peer.
  upstream.on('error', (error) => {
    fail(error);
    if (!client.destroyed) client.resetAndDestroy();
  });
  client.on('error', (error) => {
    fail(error);
    if (!upstream.destroyed) upstream.resetAndDestroy();
  });
  let open = 2;
  const onSideClosed = () => {
    if (--open === 0) options.onClose?.();
  };
  // A side that closes without having sent its FIN was cut off (or stopped by
  // us): drop the other side too. Graceful ends travel through the pipes.
  client.once('close', () => {
    if (!client.readableEnded && !upstream.destroyed) upstream.destroy();
    onSideClosed();
  });
  upstream.once('close', () => {
    if (!upstream.readableEnded && !client.destroyed) client.destroy();
    onSideClosed();
  });
  upstream.pipe(client);
  client.pipe(upstream);
}
