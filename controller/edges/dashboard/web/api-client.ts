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

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, signal);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async text(path: string, signal?: AbortSignal): Promise<string> {
    const res = await this.send('GET', path, undefined, signal);
    return res.text();
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
      const json = (await res.json()) as { error?: string; message?: string };
      error = json.error ?? error;
      message = json.message ?? message;
    } catch {}
    if (res.status === 401) this.onUnauthorized();
    throw new ApiError(res.status, error, message);
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.send(method, path, body, signal);
    return (await res.json()) as T;
  }
}
