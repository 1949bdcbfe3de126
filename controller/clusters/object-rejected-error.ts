import { UnrecoverableError } from 'bullmq';

export interface ObjectRejectedErrorData {
  kind: string;
  namespace?: string;
  name: string;
  /** HTTP status of the API's answer (400, 404, 422…); absent when the kind is not served at all. */
  status?: number;
  /** The Status `reason` (Invalid, BadRequest, NotFound…). */
  reason?: string;
  /** Field-level causes as the API gave them. */
  causes?: Array<{ field?: string; message?: string }>;
}

/**
 * The cluster refused an object as written (invalid, unknown kind, missing
 * namespace). Applying the same manifests again cannot succeed, so it is a
 * BullMQ UnrecoverableError: the job fails at once, and a new commit is the fix.
 */
// Not a BatonError: BullMQ fails a job at once only for an UnrecoverableError (by class or name), so it keeps
// that base and carries BatonError's `retryable` itself.
export class ObjectRejectedError extends UnrecoverableError {
  readonly code = 'OBJECT_REJECTED';
  readonly retryable = false;

  constructor(
    message: string,
    readonly data: ObjectRejectedErrorData,
    options?: { cause?: unknown },
  ) {
    super(message);
    this.name = 'ObjectRejectedError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
