export type NotifyErrorCode = 'INVALID_STATUS';

/**
 * A commit status baton cannot send however often it tries: a caller bug,
 * not a provider outage (those are retried, then reported in NotifyResult).
 */
export class NotifyError extends Error {
  override readonly name = 'NotifyError';

  constructor(
    readonly code: NotifyErrorCode,
    message: string,
    readonly data: { field: string },
  ) {
    super(message);
  }
}
