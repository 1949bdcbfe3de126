import { StatusError } from '../../errors/status-error.js';
import { nameProblems } from '../../kube/dns-names.js';
import type { UserInfo } from './authenticate.js';
import type { RbacAuthorizer } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';

const SA_PREFIX = 'system:serviceaccount:';

/** A request's headers, each with every value it was sent with (IncomingMessage#headersDistinct). */
export type DistinctHeaders = NodeJS.Dict<string[]>;

/**
 * A ServiceAccount's namespace and name from its username, as serviceaccount.SplitUsername has it:
 * undefined unless both are valid names, and then the username is impersonated as a user.
 */
function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (nameProblems(namespace, 'label').length || nameProblems(name, 'subdomain').length) return undefined;
  return { namespace, name };
}

function values(headers: DistinctHeaders, name: string): string[] {
  return headers[name] ?? [];
}

/** An `impersonate` check as Kubernetes' impersonation filter makes it. */
function impersonateAttrs(resource: string, name: string, apiGroup = '', namespace?: string): RequestAttributes {
  return { verb: 'impersonate', resourceRequest: true, path: '', apiGroup, apiVersion: 'v1', resource, subresource: '', namespace: namespace ?? '', name };
}

function forbidden(user: UserInfo, attrs: RequestAttributes): StatusError {
  const where = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  const what = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  return new StatusError(403, 'Forbidden', `${what} "${attrs.name}" is forbidden: User "${user.username}" cannot impersonate resource "${attrs.resource}" in API group "${attrs.apiGroup}" ${where}`, {
    name: attrs.name,
    group: attrs.apiGroup,
    kind: attrs.resource,
  });
}

/**
 * Kubernetes' impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the
 * `Impersonate-*` headers make the request someone else's, once the caller
 * is allowed the `impersonate` verb on each asked user, service account,
 * group, uid and extra (the admin is, through `system:masters`). Without the
 * headers the caller stays who they are.
 */
export async function impersonatedUser(caller: UserInfo, headers: DistinctHeaders, authorizer: RbacAuthorizer): Promise<UserInfo> {
  const username = values(headers, 'impersonate-user')[0];
  const groups = values(headers, 'impersonate-group');
  const uid = values(headers, 'impersonate-uid')[0];
  const extraKeys = Object.keys(headers).filter((h) => h.startsWith('impersonate-extra-'));
  if (username === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) {
      throw new StatusError(400, 'BadRequest', 'requested impersonation of groups, a uid or extras without impersonating a user (Impersonate-User)');
    }
    return caller;
  }
  const checks: RequestAttributes[] = [];
  const asServiceAccount = splitServiceAccount(username);
  if (asServiceAccount) checks.push(impersonateAttrs('serviceaccounts', asServiceAccount.name, '', asServiceAccount.namespace));
  else checks.push(impersonateAttrs('users', username));
  for (const group of groups) checks.push(impersonateAttrs('groups', group));
  if (uid !== undefined) checks.push(impersonateAttrs('uids', uid, 'authentication.k8s.io'));
  const extra: Record<string, string[]> = {};
  for (const key of extraKeys) {
    const name = unescapeExtraKey(key.slice('impersonate-extra-'.length));
    extra[name] = values(headers, key);
    for (const value of extra[name]) checks.push({ ...impersonateAttrs('userextras', value, 'authentication.k8s.io'), subresource: name });
  }
  for (const attrs of checks) if (!(await authorizer.allows(caller, attrs))) throw forbidden(caller, attrs);

  // A ServiceAccount asked for without groups has its fixed ones; then the authenticated (or, for anonymous,
  // unauthenticated) group unless one of the two was asked for, as the impersonation filter does.
  const named = asServiceAccount && groups.length === 0 ? ['system:serviceaccounts', `system:serviceaccounts:${asServiceAccount.namespace}`] : groups;
  const anonymous = username === 'system:anonymous';
  const status = anonymous
    ? named.includes('system:unauthenticated') ? [] : ['system:unauthenticated']
    : named.includes('system:authenticated') || named.includes('system:unauthenticated') ? [] : ['system:authenticated'];
  const all = [...new Set([...named, ...status])];
  return { username, groups: all, ...(uid !== undefined ? { uid } : {}), ...(extraKeys.length ? { extra } : {}) };
}

/** An Impersonate-Extra-<key> header's key, %-unescaped; kept as sent when it does not unescape (Kubernetes' unescapeExtraKey). */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}
