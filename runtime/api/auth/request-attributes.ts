import { parseFieldSelector, type FieldRequirement } from '../../store/index.js';
import { firstValue, flagValue } from '../request/query-options.js';

/** What an authorizer decides on (Kubernetes' `authorizer.Attributes`, without the user). */
export interface RequestAttributes {
  verb: string;
  resourceRequest: boolean;
  /** The request path, for non-resource requests (`/healthz`, `/apis`). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * The name a list or watch may see: what its field selector requires `metadata.name` to equal, read by the
 * parser the store filters with (RequiresExactMatch on the parsed selector), and only when it is a valid path
 * segment name. A selector that does not parse names nothing, as in Kubernetes.
 */
function nameFromFieldSelector(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  let requirements: readonly FieldRequirement[];
  try {
    requirements = parseFieldSelector(selector).requirements;
  } catch {
    return undefined;
  }
  const name = requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
  if (name === undefined || name === '.' || name === '..' || /[/%]/.test(name)) return undefined;
  return name;
}

/** A malformed %-escape stays as it is: the router answers such a path 400 whatever it is authorized as. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The request's attributes as kube-apiserver's RequestInfoFactory resolves
 * them: `/api/v1/…` and `/apis/{group}/{version}/…` are resource requests,
 * everything else is a non-resource path whose verb is the lower-case method.
 */
export function requestAttributes(method: string, path: string, query: Record<string, unknown>): RequestAttributes {
  const attrs: RequestAttributes = { verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  // Each segment decoded, as the resource router (parseApiPath) reads it: `/%61pi/v1/…` is served as `/api/v1/…`.
  let parts = path.split('/').filter(Boolean).map(decodeSegment);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return attrs;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return attrs;
    attrs.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  attrs.resourceRequest = true;
  attrs.apiVersion = parts[0];
  parts = parts.slice(1);
  if (parts[0] === 'watch' && parts.length >= 2) {
    attrs.verb = 'watch';
    parts = parts.slice(1);
  } else {
    attrs.verb = METHOD_VERBS[method.toUpperCase()] ?? '';
  }
  if (parts[0] === 'namespaces' && parts.length > 1) {
    attrs.namespace = parts[1];
    if (parts.length > 2 && parts[2] !== 'status' && parts[2] !== 'finalize') parts = parts.slice(2);
  }
  attrs.resource = parts[0] ?? '';
  attrs.name = parts[1] ?? '';
  attrs.subresource = parts[2] ?? '';
  const watching = flagValue(query, 'watch');
  if (attrs.verb === 'get' && !attrs.name) {
    attrs.verb = watching ? 'watch' : 'list';
    attrs.name = nameFromFieldSelector(firstValue(query, 'fieldSelector')) ?? '';
  } else if (attrs.verb === 'get' && watching && !attrs.subresource) {
    // The runtime serves a watch of one object on its own path too; it needs the watch verb.
    attrs.verb = 'watch';
  }
  if (attrs.verb === 'delete' && !attrs.name) attrs.verb = 'deletecollection';
  return attrs;
}

/** Kubernetes' Forbidden message for a denied request (responsewriters.forbiddenMessage + apierrors.NewForbidden). */
export function forbiddenMessage(username: string, attrs: RequestAttributes): string {
  if (!attrs.resourceRequest) return `forbidden: User ${JSON.stringify(username)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
  const why = `User ${JSON.stringify(username)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${scope}`;
  const qualified = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  return attrs.name ? `${qualified} ${JSON.stringify(attrs.name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
}
