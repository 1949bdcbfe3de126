import { BatonError } from '../../../runtime/kube/baton-error.js';

export type NotifyErrorCode = 'INVALID_STATUS';

/**
 * A commit status baton cannot send however often it tries: a caller bug,
 * not a provider outage (those are retried, then reported in NotifyResult).
 */
export class NotifyError extends BatonError {
  override readonly name = 'NotifyError';

  constructor(
    override readonly code: NotifyErrorCode,
    message: string,
    readonly data: { field: string },
  ) {
    super(message, { retryable: false });
  }
}
