import { BatonError } from '../../runtime/kube/baton-error.js';

/**
 * Why a repository could not be read. `code` lets callers decide: the poller
 * backs off and retries every code (a token or a branch can be fixed outside
 * baton), while an INVALID_SPEC should be shown to the user at configuration time.
 */
export type SourceErrorCode =
  | 'INVALID_SPEC'
  | 'UNSUPPORTED_URL'
  | 'NOT_A_REPOSITORY'
  | 'UNREACHABLE'
  | 'AUTH_REQUIRED'
  | 'AUTH_FAILED'
  | 'REPOSITORY_NOT_FOUND'
  | 'REF_NOT_FOUND'
  | 'COMMIT_NOT_FOUND'
  | 'SUBMODULE'
  | 'FETCH_FAILED';

export interface SourceErrorData {
  /** The repository's URL or path, without credentials. */
  url?: string;
  ref?: string;
  path?: string;
  /** HTTP status of the remote's answer, when there was one. */
  statusCode?: number;
}

/** A repository spec or URL baton cannot use; everything else may pass (a token or a branch can be fixed outside baton). */
const NOT_RETRYABLE: ReadonlySet<SourceErrorCode> = new Set(['INVALID_SPEC', 'UNSUPPORTED_URL']);

export class SourceError extends BatonError {
  override readonly name = 'SourceError';

  constructor(
    override readonly code: SourceErrorCode,
    message: string,
    readonly data: SourceErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message, { ...options, retryable: !NOT_RETRYABLE.has(code) });
  }
}
