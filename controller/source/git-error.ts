import { SourceError } from './source-error.js';

interface GitErrorShape {
  code?: string;
  message?: string;
  data?: { statusCode?: number; statusMessage?: string };
}

/**
 * Turns what isomorphic-git or the network threw into a SourceError whose
 * message tells a user what to do. `url` must already be free of credentials.
 */
export function toSourceError(err: unknown, url: string, tokenSource: string | undefined): SourceError {
  if (err instanceof SourceError) return err;
  const e = (err ?? {}) as GitErrorShape;
  const data = { url };
  switch (e.code) {
    case 'UserCanceledError':
      return new SourceError('AUTH_FAILED', `${url} rejected the token from ${tokenSource ?? 'the configured credentials'}`, data, { cause: err });
    case 'HttpError': {
      const statusCode = e.data?.statusCode;
      if (statusCode === 401) {
        const hint = tokenSource ? `the token from ${tokenSource} was not accepted` : 'set BATON_GIT_TOKEN (or the repository\'s tokenEnv/tokenFile) to a token with read access';
        return new SourceError('AUTH_REQUIRED', `${url} requires authentication: ${hint}`, { ...data, statusCode }, { cause: err });
      }
      if (statusCode === 403) {
        return new SourceError('AUTH_FAILED', `${url} refused access (HTTP 403); check that the token can read this repository`, { ...data, statusCode }, { cause: err });
      }
      if (statusCode === 404) {
        return new SourceError('REPOSITORY_NOT_FOUND', `${url} was not found (HTTP 404); check the URL (private repositories may need a token)`, { ...data, statusCode }, { cause: err });
      }
      return new SourceError('UNREACHABLE', `${url} answered HTTP ${statusCode ?? '?'} ${e.data?.statusMessage ?? ''}`.trimEnd(), { ...data, statusCode }, { cause: err });
    }
    case 'SmartHttpError':
      return new SourceError('UNSUPPORTED_URL', `${url} did not answer as a Git smart-HTTP server; is it a repository URL?`, data, { cause: err });
    case 'NotFoundError':
      return new SourceError('REF_NOT_FOUND', `${url}: ${e.message ?? 'ref not found'}`, data, { cause: err });
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new SourceError('UNREACHABLE', `cannot reach ${url}: ${e.code}`, data, { cause: err });
  }
  if (/timed out/i.test(e.message ?? '')) {
    return new SourceError('UNREACHABLE', `cannot reach ${url}: no answer before the timeout`, data, { cause: err });
  }
  return new SourceError('FETCH_FAILED', `reading ${url} failed: ${e.message ?? String(err)}`, data, { cause: err });
}
