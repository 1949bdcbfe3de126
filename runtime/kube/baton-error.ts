export interface BatonErrorOptions {
  /** Whether doing the same thing again later may succeed with nothing changed by a person. */
  retryable: boolean;
  /** A stable word callers branch on (`SOURCE_UNREACHABLE`…); subclasses usually declare their own union. */
  code?: string;
  /** The error this one explains (a client library's, a system call's). */
  cause?: unknown;
}

/**
 * The base of baton's own errors: each says whether a retry can help, so the
 * code that decides retries reads `retryable` instead of testing classes or
 * messages (BullMQ's UnrecoverableError and isomorphic-git's errors play this
 * part in their projects). Configuration a person must fix is not retryable;
 * an unreachable server is.
 */
export class BatonError extends Error {
  override name = 'BatonError';
  readonly retryable: boolean;
  declare readonly code?: string;

  constructor(message: string, options: BatonErrorOptions) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.retryable = options.retryable;
    if (options.code !== undefined) (this as { code?: string }).code = options.code;
  }
}

/** Whether `err` is one of baton's errors that a later try may get past. */
export function isRetryable(err: unknown): boolean {
  return err instanceof BatonError && err.retryable;
}
