import { apiMethod, apiPath } from '../../api/api-path.js';
import type { ApiAnswer, ApiErrorBody, ApiInput, ApiRoute } from '../../api/contract.js';

/** The route's input (optional when nothing in it is required), then an abort signal. */
type CallArgs<K extends ApiRoute> = Record<never, never> extends ApiInput<K> ? [input?: ApiInput<K>, signal?: AbortSignal] : [input: ApiInput<K>, signal?: AbortSignal];

/** An API answer other than 2xx, with the server's `{error, message}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The REST API on the page's own origin, with the signed-in token as a bearer header. */
export class ApiClient {
  constructor(
    readonly token: string,
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  /** Calls one route of the REST contract: JSON answers parsed, text/plain ones as text, 204 as undefined. */
  async call<K extends ApiRoute>(route: K, ...[input, signal]: CallArgs<K>): Promise<ApiAnswer<K>> {
    const method = apiMethod(route);
    const res = await this.send(method, apiPath(route, input), method === 'GET' ? undefined : (input?.body ?? {}), signal);
    if (res.status === 204) return undefined as ApiAnswer<K>;
    return (res.headers.get('content-type')?.startsWith('text/plain') ? await res.text() : await res.json()) as ApiAnswer<K>;
  }

  /** A raw response, for streams; non-2xx answers throw ApiError. */
  async send(method: string, path: string, body?: unknown, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(path, {
      method,
      signal,
      cache: 'no-store',
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.ok) return res;
    let error = `HTTP${res.status}`;
    let message = res.statusText || error;
    try {
      const json = (await res.json()) as Partial<ApiErrorBody>;
      error = json.error ?? error;
      message = json.message ?? message;
    } catch {}
    if (res.status === 401) this.onUnauthorized();
    throw new ApiError(res.status, error, message);
  }
}
