import { findByPlural, type ResourceType } from '../../resources/registry.js';
import { badRequest, StatusError } from '../../errors/status-error.js';

/** A request path resolved against the registry. */
export interface ApiPath {
  type: ResourceType;
  namespace?: string;
  /** Absent for collection requests. */
  name?: string;
  subresource?: ResourceType['subresources'][number];
  /** The legacy `/watch/` path prefix was used. */
  watchPrefix: boolean;
}

function notFoundPath(path: string): StatusError {
  return new StatusError(404, 'NotFound', `the server could not find the requested resource (${path})`, {});
}

/** A malformed %-escape is the client's mistake (400), as Go's url parsing makes it in Kubernetes. */
function decodeSegment(segment: string, path: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in the request path ${JSON.stringify(path)}`);
  }
}

/**
 * Resolves `/api/v1/...` and `/apis/{group}/{version}/...` paths, namespaced
 * or cluster-wide, with an optional name and subresource. Returns undefined for
 * paths that are not resource paths (discovery is routed before this).
 */
export function parseApiPath(path: string): ApiPath | undefined {
  const segments = path.split('/').filter(Boolean).map((segment) => decodeSegment(segment, path));
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // `namespaces/{ns}/{plural}…` is a namespaced resource; `namespaces/{name}[/status]` is the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const type = findByPlural(group, version, plural);
  if (!type || extra.length > 0) throw notFoundPath(path);
  if (namespace !== undefined && !type.namespaced) throw notFoundPath(path);
  if (subresource !== undefined && !(type.subresources as string[]).includes(subresource)) throw notFoundPath(path);
  // Kubernetes registers `/watch/` routes for collections and objects only, never for a subresource.
  if (watchPrefix && subresource !== undefined) throw notFoundPath(path);
  return { type, namespace, name, subresource: subresource as ApiPath['subresource'], watchPrefix };
}
