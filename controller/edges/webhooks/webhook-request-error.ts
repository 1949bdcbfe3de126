import { BatonError } from '../../../runtime/kube/baton-error.js';

export type WebhookRequestErrorCode =
  | 'NOT_CONFIGURED'
  | 'UNAUTHORIZED'
  | 'MISSING_HEADER'
  | 'INVALID_JSON'
  | 'INVALID_PAYLOAD'
  | 'PAYLOAD_TOO_LARGE'
  /** baton itself is wired wrong (a body parser ahead of the router); the provider should retry later. */
  | 'MISCONFIGURED';

const statusOf: Record<WebhookRequestErrorCode, number> = {
  NOT_CONFIGURED: 404,
  UNAUTHORIZED: 401,
  MISSING_HEADER: 400,
  INVALID_JSON: 400,
  INVALID_PAYLOAD: 400,
  PAYLOAD_TOO_LARGE: 413,
  MISCONFIGURED: 500,
};

/**
 * A delivery the receiver refuses, with the HTTP status the provider sees.
 * None of these is retried by baton; the provider shows the message in its
 * delivery log, so it says what to fix. Messages never contain a secret.
 */
export class WebhookRequestError extends BatonError {
  override readonly name = 'WebhookRequestError';
  readonly status: number;

  constructor(
    override readonly code: WebhookRequestErrorCode,
    message: string,
    /** The header or payload field concerned, e.g. `repository.clone_url`. */
    readonly field?: string,
  ) {
    // The provider may redeliver, but only MISCONFIGURED (a 500 on baton's side) can go another way then.
    super(message, { retryable: code === 'MISCONFIGURED' });
    this.status = statusOf[code];
  }
}
