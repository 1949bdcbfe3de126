import { BatonError } from '../../runtime/kube/baton-error.js';

/**
 * Why baton could not start or reach Redis. None of these fixes itself by
 * retrying: each needs a person (install a package, free the state dir,
 * correct REDIS_URL), so callers report them instead of backing off.
 */
export type RedisErrorCode =
  | 'REDIS_NOT_INSTALLED'
  | 'INVALID_URL'
  | 'SOCKET_PATH_TOO_LONG'
  | 'STATE_DIR_BUSY'
  | 'START_FAILED';

export interface RedisErrorData {
  /** The Redis URL or state directory concerned. */
  url?: string;
  dir?: string;
  /** Last lines redis-server printed before it failed. */
  output?: string;
}

export class RedisError extends BatonError {
  override readonly name = 'RedisError';

  constructor(
    override readonly code: RedisErrorCode,
    message: string,
    readonly data: RedisErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message, { ...options, retryable: false });
  }
}
