import { BatonError } from '../../runtime/kube/baton-error.js';

/**
 * Thrown by a sync processor that is waiting on something outside it (an app
 * it depends on is not Healthy yet, a cluster is unreachable): the job is
 * requeued after `delayMs` without spending one of its retry attempts.
 */
export class RetryLaterError extends BatonError {
  override readonly name = 'RetryLaterError';
  override readonly code = 'RETRY_LATER';

  constructor(
    message: string,
    readonly data: { delayMs: number },
  ) {
    super(message, { retryable: true });
  }
}
