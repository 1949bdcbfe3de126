import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import type { UserInfo } from './authenticate.js';
import { ruleAllows, type PolicyRule } from './rbac-rules.js';
import type { RequestAttributes } from './request-attributes.js';

/** The group every right is granted to without asking RBAC (Kubernetes' `system:masters` privileged group). */
export const MASTERS_GROUP = 'system:masters';

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** rbac's appliesToUser: a User by name, a Group the user is in, a ServiceAccount (namespace defaulting to the binding's). */
function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name ?? '');
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return !!namespace && user.username === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** The rules a user holds and the errors met finding them (a binding to a missing role), as rbac's VisitRulesFor. */
export interface ResolvedRules {
  rules: PolicyRule[];
  errors: string[];
}

/**
 * RBAC over the store's Roles, ClusterRoles and their bindings: the rules of
 * every ClusterRoleBinding and, within a namespace, every RoleBinding there
 * whose subjects name the user. Nothing is cached: a binding takes effect on
 * the next request.
 */
export class RbacAuthorizer {
  constructor(readonly cluster: Cluster) {}

  async rulesFor(user: UserInfo, namespace: string): Promise<ResolvedRules> {
    const found: ResolvedRules = { rules: [], errors: [] };
    const bindings: KubeObject[] = (await this.cluster.list(resources.clusterrolebindings)).items;
    if (namespace) bindings.push(...(await this.cluster.list(resources.rolebindings, { namespace })).items);
    for (const binding of bindings) {
      const bindingNamespace = binding.metadata.namespace ?? '';
      const subjects: Subject[] = Array.isArray(binding.subjects) ? binding.subjects : [];
      if (!subjects.some((s) => appliesTo(user, s, bindingNamespace))) continue;
      const ref: { kind?: string; name?: string } = binding.roleRef ?? {};
      const role = ref.kind === 'Role' && bindingNamespace
        ? await getIfExists(this.cluster, resources.roles, bindingNamespace, ref.name ?? '')
        : ref.kind === 'ClusterRole' ? await getIfExists(this.cluster, resources.clusterroles, undefined, ref.name ?? '') : undefined;
      if (!role) {
        const where = binding.metadata.namespace ? `RoleBinding "${binding.metadata.name}" of namespace "${bindingNamespace}"` : `ClusterRoleBinding "${binding.metadata.name}"`;
        found.errors.push(`${ref.kind?.toLowerCase() ?? 'role'}.rbac.authorization.k8s.io "${ref.name}" not found (${where})`);
        continue;
      }
      found.rules.push(...(Array.isArray(role.rules) ? role.rules : []));
    }
    return found;
  }

  async allows(user: UserInfo, attrs: RequestAttributes): Promise<boolean> {
    if (user.groups.includes(MASTERS_GROUP)) return true;
    const { rules } = await this.rulesFor(user, attrs.namespace);
    return rules.some((rule) => ruleAllows(rule, attrs));
  }
}
