import { notFound, StatusError } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import type { UserInfo } from './authenticate.js';
import { MASTERS_GROUP, type RbacAuthorizer } from './rbac-authorizer.js';
import { uncoveredRules, type PolicyRule } from './rbac-rules.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
/** What cluster-admin holds: the rules an aggregationRule may gather. */
const FULL_AUTHORITY: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

function hasAggregationRule(role: KubeObject | undefined): boolean {
  const selectors = (role?.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)?.clusterRoleSelectors;
  return Array.isArray(selectors) && selectors.length > 0;
}

/** rbacv1helpers.CompactString, as the Forbidden message lists the rules not held. */
function compact(rule: PolicyRule): string {
  const parts: string[] = [];
  const field = (name: string, v: string[] | undefined) => v?.length && parts.push(`${name}:[${v.map((x) => JSON.stringify(x)).join(', ')}]`);
  field('APIGroups', rule.apiGroups);
  field('Resources', rule.resources);
  field('ResourceNames', rule.resourceNames);
  field('NonResourceURLs', rule.nonResourceURLs);
  field('Verbs', rule.verbs);
  return `{${parts.join(', ')}}`;
}

/** The rules a binding's role grants; a missing role is a 404, as GetRoleReferenceRules makes it (no binding ahead of its role). */
async function rulesOf(authorizer: RbacAuthorizer, kind: string, namespace: string, name: string): Promise<PolicyRule[]> {
  const type = kind === 'Role' ? resources.roles : resources.clusterroles;
  const role = await getIfExists(authorizer.cluster, type, kind === 'Role' ? namespace : undefined, name);
  if (!role) throw notFound(`${type.plural}.${RBAC_GROUP}`, name);
  return Array.isArray(role.rules) ? role.rules : [];
}

/**
 * Kubernetes' escalation check on writes of Roles and bindings: a user may
 * only grant rules they hold themselves, unless RBAC gives them `escalate` on
 * the role (for Roles) or `bind` on the referenced role (for bindings).
 * Setting, changing or removing a ClusterRole's aggregationRule, which can
 * gather any rules, needs full authority (`*` on everything), as
 * clusterrole/policybased/storage.go has it. `system:masters` passes, as
 * EscalationAllowed has it.
 */
export async function preventEscalation(authorizer: RbacAuthorizer, user: UserInfo | undefined, type: ResourceType, obj: KubeObject, live?: KubeObject): Promise<void> {
  if (!user || user.groups.includes(MASTERS_GROUP)) return;
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const may = (verb: string, resource: string, resourceName: string) =>
    authorizer.allows(user, { verb, resourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: 'v1', resource, subresource: '', namespace, name: resourceName });
  let wanted: PolicyRule[];
  if (type === resources.roles || type === resources.clusterroles) {
    if (await may('escalate', type.plural, name)) return;
    wanted = Array.isArray(obj.rules) ? obj.rules : [];
  } else if (type === resources.rolebindings || type === resources.clusterrolebindings) {
    const ref: { kind?: string; name?: string } = obj.roleRef ?? {};
    if (await may('bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', ref.name ?? '')) return;
    wanted = await rulesOf(authorizer, ref.kind ?? '', namespace, ref.name ?? '');
  } else {
    return;
  }
  const held = (await authorizer.rulesFor(user, namespace)).rules;
  const missing = uncoveredRules(held, wanted);
  if (missing.length === 0) {
    if (type === resources.clusterroles && (hasAggregationRule(obj) || hasAggregationRule(live)) && uncoveredRules(held, FULL_AUTHORITY).length > 0) {
      throw new StatusError(403, 'Forbidden', `${type.plural}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: must have cluster-admin privileges to use the aggregationRule`, {
        name,
        group: RBAC_GROUP,
        kind: type.plural,
      });
    }
    return;
  }
  const groups = `[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  const message = `${type.plural}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: user ${JSON.stringify(user.username)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${missing.map(compact).join('\n')}`;
  throw new StatusError(403, 'Forbidden', message, { name, group: RBAC_GROUP, kind: type.plural });
}
