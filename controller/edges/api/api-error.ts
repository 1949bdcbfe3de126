import { BatonError } from '../../../runtime/kube/baton-error.js';

/**
 * An error the REST API answers with its own status and a JSON body
 * `{error, message}`; `error` is a stable word a client can branch on.
 */
export class ApiError extends BatonError {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    // As HTTP has it: overload and failures on the server's side may pass (501 Not Implemented will not).
    super(message, { retryable: status === 429 || (status >= 500 && status !== 501) });
    this.name = 'ApiError';
  }

  toJSON(): { error: string; message: string } {
    return { error: this.error, message: this.message };
  }
}

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const unauthorized = (message: string) => new ApiError(401, 'Unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (message: string) => new ApiError(409, 'Conflict', message);
export const notImplemented = (message: string) => new ApiError(501, 'NotImplemented', message);
