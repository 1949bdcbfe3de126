/**
 * Paths that some router mounted before the resource handler may serve
 * (every router matches case-sensitively, as Kubernetes does): the metrics group, the self
 * reviews and TokenRequest. Everything else under `/api/v1/` or
 * `/apis/{group}/{version}/` passes discovery, OpenAPI and those routers
 * untouched, so it may go to the resource handler at once.
 */
const ROUTED_ELSEWHERE = ['/apis/metrics.k8s.io', '/apis/authorization.k8s.io', '/apis/authentication.k8s.io'];

/**
 * True for a request the resource handler would be the first to serve:
 * deeper than discovery's `/api/{version}` and `/apis/{group}/{version}`,
 * in no group another router serves, not a ServiceAccount token, not OPTIONS.
 * A false answer only means the request takes the whole route.
 */
export function goesStraightToResources(method: string, path: string): boolean {
  if (method === 'OPTIONS') return false;
  let depth: number;
  if (path.startsWith('/api/v1/')) depth = 3;
  else if (path.startsWith('/apis/')) depth = 4;
  else return false;
  const lower = path.toLowerCase();
  if (lower.includes('/token') || ROUTED_ELSEWHERE.some((prefix) => lower.startsWith(prefix))) return false;
  let segments = 0;
  for (const segment of path.split('/')) if (segment !== '' && ++segments >= depth) return true;
  return false;
}
