/**
 * Why the pod network cannot start or serve a pod. Every code but
 * POOL_EXHAUSTED is configuration or machine state that retrying will not
 * change, so callers should show the message instead of backing off.
 */
export type NetworkErrorCode =
  | 'UNSUPPORTED_HOST'
  | 'INVALID_CIDR'
  | 'INVALID_PORT'
  | 'CIDR_OVERLAP'
  | 'CIDR_CHANGED'
  | 'UNSAFE_ROUTE'
  | 'POOL_EXHAUSTED';

export interface NetworkErrorData {
  podCidr?: string;
  bridge?: string;
  /** The route or address that stood in the way, as `ip` prints it. */
  conflict?: string;
}

export class NetworkError extends Error {
  override readonly name = 'NetworkError';

  constructor(
    readonly code: NetworkErrorCode,
    message: string,
    readonly data: NetworkErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
