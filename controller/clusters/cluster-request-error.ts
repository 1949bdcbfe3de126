import { BatonError } from '../../runtime/kube/baton-error.js';

export type ClusterRequestErrorCode =
  /** No answer: connection refused or reset, DNS, TLS or a timeout. */
  | 'UNREACHABLE'
  /** 5xx or 429: the API server is overloaded or failing. */
  | 'SERVER_ERROR'
  /** 401/403: credentials expired or lack a permission; fixable outside baton. */
  | 'ACCESS_DENIED'
  /** 409: someone else wrote the object in between. */
  | 'CONFLICT';

export interface ClusterRequestErrorData {
  cluster: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** HTTP status, when the API answered. */
  status?: number;
}

/**
 * A request to a cluster that failed for reasons that may pass: the worker
 * retries it with exponential back-off and jitter.
 */
export class ClusterRequestError extends BatonError {
  override readonly name = 'ClusterRequestError';

  constructor(
    override readonly code: ClusterRequestErrorCode,
    message: string,
    readonly data: ClusterRequestErrorData,
    options?: { cause?: unknown },
  ) {
    super(message, { ...options, retryable: true });
  }
}
