import type { ApiInput, ApiRoute } from './contract.js';

/** A client's arguments for `route`: the input may be left out when nothing in it is required. */
export type ApiArgs<K extends ApiRoute> = Record<never, never> extends ApiInput<K> ? [input?: ApiInput<K>] : [input: ApiInput<K>];

export function apiMethod(route: ApiRoute): string {
  return route.slice(0, route.indexOf(' '));
}

/**
 * The URL path a client requests for `route`: `/api/v1/apps/web/history?limit=1`
 * for `'GET /apps/:name/history'` with `{params: {name: 'web'}, query: {limit: 1}}`.
 * Params are URL-encoded; undefined query fields are left out.
 */
export function apiPath<K extends ApiRoute>(route: K, input?: ApiInput<K>): string {
  const params: Record<string, string> = input?.params ?? {};
  const path = route.slice(route.indexOf(' ') + 1).replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name]));
  const query = new URLSearchParams();
  for (const [field, value] of Object.entries((input?.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined) query.set(field, String(value));
  }
  const search = query.toString();
  return `/api/v1${path}${search ? `?${search}` : ''}`;
}
