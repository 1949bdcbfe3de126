import type { KubeObject } from '../kube/object.js';

/** Where matched traffic goes: a port (number or name) of a Service in the Ingress' namespace. */
export interface IngressBackend {
  namespace: string;
  service: string;
  port: number | string;
}

export interface RouteMatch {
  backend: IngressBackend;
  /** `namespace/name` of the Ingress whose rule (or defaultBackend) matched. */
  ingress: string;
}

/** A part of an Ingress the router cannot use, for a log line or an Event. */
export interface RouteProblem {
  ingress: string;
  message: string;
}

interface PathRoute extends RouteMatch {
  exact: boolean;
  /** Exact: the path as written; Prefix: without its trailing slash ('' for '/'). */
  path: string;
}

interface HostRoutes {
  paths: PathRoute[];
  defaultBackend?: RouteMatch;
}

export interface RouteTable {
  /** The backend for a request, or undefined for a 404. `host` is the Host header as sent. */
  match(host: string, path: string): RouteMatch | undefined;
  problems: RouteProblem[];
}

/**
 * Compiles the Ingresses baton serves into one router, with Kubernetes' rules:
 * - the most specific host owns a request: an exact host, else the one-label
 *   wildcard (`*.foo.localhost` matches `a.foo.localhost`, not `foo.localhost`
 *   or `a.b.foo.localhost`), else the rules without a host;
 * - within it the longest matching path wins, Exact before Prefix at equal
 *   length; Prefix matches whole path elements (`/foo` matches `/foo/bar`, not
 *   `/foobar`); ImplementationSpecific is treated as Prefix;
 * - no path matched: that host's `defaultBackend` (from an Ingress with rules
 *   for it), else the `defaultBackend` of an Ingress without rules;
 * - where two Ingresses claim the same thing the older one wins, as ingress-nginx does.
 */
export function buildRouteTable(ingresses: readonly KubeObject[]): RouteTable {
  const exact = new Map<string, HostRoutes>();
  const wildcard = new Map<string, HostRoutes>();
  let hostless: HostRoutes | undefined;
  let catchAll: RouteMatch | undefined;
  const problems: RouteProblem[] = [];

  const groupFor = (host: string | undefined): HostRoutes => {
    if (!host) return (hostless ??= { paths: [] });
    const [map, key] = host.startsWith('*.') ? [wildcard, host.slice(1)] : [exact, host];
    let group = map.get(key);
    if (!group) map.set(key, (group = { paths: [] }));
    return group;
  };

  for (const ing of [...ingresses].sort(olderFirst)) {
    const namespace = String(ing.metadata.namespace ?? 'default');
    const ingress = `${namespace}/${ing.metadata.name}`;
    const backendOf = (raw: any, field: string): IngressBackend | undefined => {
      const found = serviceBackend(raw, namespace);
      if (typeof found === 'string') problems.push({ ingress, message: `${field}: ${found}` });
      return typeof found === 'string' ? undefined : found;
    };
    const rules: any[] = Array.isArray(ing.spec?.rules) ? ing.spec.rules : [];
    const defaultBackend = ing.spec?.defaultBackend ? backendOf(ing.spec.defaultBackend, 'spec.defaultBackend') : undefined;
    rules.forEach((rule, r) => {
      const host = typeof rule?.host === 'string' && rule.host !== '' ? rule.host.toLowerCase() : undefined;
      const group = groupFor(host);
      const paths: any[] = Array.isArray(rule?.http?.paths) ? rule.http.paths : [];
      paths.forEach((p, i) => {
        const backend = backendOf(p?.backend, `spec.rules[${r}].http.paths[${i}].backend`);
        if (!backend) return;
        const raw = typeof p.path === 'string' && p.path !== '' ? p.path : '/';
        if (!raw.startsWith('/')) {
          problems.push({ ingress, message: `spec.rules[${r}].http.paths[${i}].path: must be an absolute path, got "${raw}"` });
          return;
        }
        const isExact = p.pathType === 'Exact';
        group.paths.push({ backend, ingress, exact: isExact, path: isExact ? raw : raw.replace(/\/+$/, '') });
      });
      if (defaultBackend && !group.defaultBackend) group.defaultBackend = { backend: defaultBackend, ingress };
    });
    if (defaultBackend && rules.length === 0 && !catchAll) catchAll = { backend: defaultBackend, ingress };
  }
  // Stable sort: among equal paths the older Ingress (inserted first) stays first.
  for (const group of [...exact.values(), ...wildcard.values(), ...(hostless ? [hostless] : [])]) {
    group.paths.sort((a, b) => b.path.length - a.path.length || Number(b.exact) - Number(a.exact));
  }

  return {
    problems,
    match(rawHost, rawPath) {
      const host = normalizeHost(rawHost);
      const dot = host.indexOf('.');
      const group = exact.get(host) ?? (dot > 0 ? wildcard.get(host.slice(dot)) : undefined) ?? hostless;
      const path = pathOnly(rawPath);
      const route = group?.paths.find((p) => (p.exact ? path === p.path : isPrefixOf(p.path, path)));
      if (route) return { backend: route.backend, ingress: route.ingress };
      return group?.defaultBackend ?? catchAll;
    },
  };
}

/** Element-wise prefix: '' (from '/') matches everything, '/foo' matches '/foo', '/foo/' and '/foo/bar'. */
function isPrefixOf(prefix: string, path: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** The Host header without port or trailing dot, lower-cased; brackets kept for IPv6 literals. */
export function normalizeHost(host: string | undefined): string {
  let h = (host ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function pathOnly(url: string): string {
  const end = url.search(/[?#]/);
  const path = end < 0 ? url : url.slice(0, end);
  return path === '' ? '/' : path;
}

/** A Service backend, or why it cannot be used. */
function serviceBackend(raw: any, namespace: string): IngressBackend | string {
  const service = raw?.service;
  if (!service) return raw?.resource ? 'resource backends are not supported; use service' : 'service is required';
  if (typeof service.name !== 'string' || service.name === '') return 'service.name is required';
  const port = service.port ?? {};
  if (Number.isInteger(port.number) && port.number > 0) return { namespace, service: service.name, port: port.number };
  if (typeof port.name === 'string' && port.name !== '') return { namespace, service: service.name, port: port.name };
  return 'service.port.number or service.port.name is required';
}

function olderFirst(a: KubeObject, b: KubeObject): number {
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
