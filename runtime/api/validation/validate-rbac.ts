import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { invalidValue, notSupported, required } from './field-error.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** ValidatePolicyRule: verbs; resource rules name groups and resources; non-resource URLs only in ClusterRoles, never mixed. */
function validateRule(rule: any, namespaced: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (list(rule?.verbs).length === 0) causes.push(required(`${at}.verbs`, 'verbs must contain at least one value'));
  const urls = list(rule?.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) causes.push(invalidValue(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (list(rule?.apiGroups).length > 0 || list(rule?.resources).length > 0) causes.push(invalidValue(`${at}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    return causes;
  }
  if (list(rule?.apiGroups).length === 0) causes.push(required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
  if (list(rule?.resources).length === 0) causes.push(required(`${at}.resources`, 'resource rules must supply at least one resource'));
  return causes;
}

function validateSubject(subject: any, namespaced: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!subject?.name) causes.push(required(`${at}.name`));
  switch (subject?.kind) {
    case 'ServiceAccount':
      if (subject.apiGroup) causes.push(notSupported(`${at}.apiGroup`, subject.apiGroup, ['']));
      if (!namespaced && !subject.namespace) causes.push(required(`${at}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (subject.apiGroup !== RBAC_GROUP) causes.push(notSupported(`${at}.apiGroup`, subject.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      causes.push(notSupported(`${at}.kind`, subject?.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return causes;
}

/** Kubernetes' ValidateRole, ValidateClusterRole, ValidateRoleBinding and ValidateClusterRoleBinding. */
export function validateRbacObject(obj: KubeObject): StatusCause[] {
  const namespaced = obj.kind === 'Role' || obj.kind === 'RoleBinding';
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') return list(obj.rules).flatMap((rule, i) => validateRule(rule, namespaced, `rules[${i}]`));
  const causes: StatusCause[] = [];
  const ref: { apiGroup?: string; kind?: string; name?: string } = obj.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) causes.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? '')) causes.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) causes.push(required('roleRef.name'));
  list(obj.subjects).forEach((s, i) => causes.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return causes;
}

/** A binding's roleRef is immutable (ValidateRoleBindingUpdate). */
export function validateRbacUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  if (obj.kind !== 'RoleBinding' && obj.kind !== 'ClusterRoleBinding') return [];
  const same = JSON.stringify(obj.roleRef ?? {}) === JSON.stringify(old.roleRef ?? {});
  return same ? [] : [invalidValue('roleRef', obj.roleRef, 'cannot change roleRef')];
}
