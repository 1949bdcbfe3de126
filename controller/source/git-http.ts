import http, { type HttpClient } from 'isomorphic-git/http/node';

/**
 * isomorphic-git's node HTTP client with a timeout, so a remote that stops
 * answering fails the check instead of hanging it forever. (Node's global
 * agents already keep connections alive between requests.)
 */
export function createGitHttpClient(timeoutMs: number): HttpClient {
  return {
    request(req) {
      return http.request({ ...req, fetchOptions: { ...req.fetchOptions, timeout: timeoutMs } });
    },
  };
}
