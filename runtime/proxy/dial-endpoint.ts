import net from 'node:net';
import { endpointKey, type Endpoint, type EndpointPicker } from './endpoint-picker.js';
import { NoReadyEndpointError } from './no-ready-endpoint-error.js';

export interface DialOptions {
  /**
   * Give up on one endpoint after this long without a TCP handshake and try the next.
   * @defaultValue 1000
   */
  connectTimeoutMs?: number;
  /** Stop trying when aborted, e.g. because the client went away. */
  signal?: AbortSignal;
  /** Called for every failed attempt that is followed by another. */
  onRetry?: (endpoint: Endpoint, error: Error) => void;
}

export interface DialResult {
  socket: net.Socket;
  endpoint: Endpoint;
  /** 1 when the first endpoint tried accepted. */
  attempts: number;
}

/**
 * Connects to a ready endpoint, trying each other ready endpoint once when a
 * connection fails before any byte was exchanged (refused, reset, timed out):
 * nothing was sent, so another endpoint can take the request unseen.
 * Throws NoReadyEndpointError when none is left.
 */
export async function dialEndpoint(picker: EndpointPicker, options: DialOptions = {}): Promise<DialResult> {
  const tried = new Set<string>();
  let lastError: Error | undefined;
  while (!options.signal?.aborted) {
    const endpoint = picker.pick(tried);
    if (!endpoint) break;
    if (lastError) options.onRetry?.(endpoint, lastError);
    tried.add(endpointKey(endpoint));
    try {
      const socket = await connect(endpoint, options.connectTimeoutMs ?? 1000);
      picker.reportConnectSuccess(endpoint);
      return { socket, endpoint, attempts: tried.size };
    } catch (error) {
      picker.reportConnectFailure(endpoint);
      lastError = error as Error;
    }
  }
  throw new NoReadyEndpointError(tried.size, lastError);
}

function connect(endpoint: Endpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // Half-open lets a client's FIN reach the backend while the response still flows back.
    const socket = net.connect({ host: endpoint.ip, port: endpoint.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`connect ETIMEDOUT ${endpointKey(endpoint)}`), { code: 'ETIMEDOUT' });
      socket.destroy(error);
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
