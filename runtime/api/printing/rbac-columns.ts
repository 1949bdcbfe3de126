import type { KubeObject } from '../../kube/object.js';
import type { ColumnDefinition, ColumnSet } from './column-sets.js';
import { ageOf } from './human-duration.js';

function col(name: string, priority = 0, type: ColumnDefinition['type'] = 'string', format = ''): ColumnDefinition {
  return { name, type, format, description: `${name} column`, priority };
}
const nameCol = { ...col('Name', 0, 'string', 'name'), description: 'Name must be unique within a namespace.' };
const ageCol = { ...col('Age'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };
const createdAt = { ...col('Created At', 0, 'date'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

/** The subjects of one kind, as kubectl's printer lists them (service accounts as `namespace/name`). */
function subjects(binding: KubeObject, kind: string): string {
  const list = (Array.isArray(binding.subjects) ? binding.subjects : []).filter((s: any) => s?.kind === kind);
  return list.map((s: any) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
}

const role: ColumnSet = { columns: [nameCol, createdAt], cells: (r) => [r.metadata.name, r.metadata.creationTimestamp ?? ''] };
const binding: ColumnSet = {
  columns: [nameCol, { ...col('Role'), description: 'RoleRef is the reference to the role.' }, ageCol, col('Users', 1), col('Groups', 1), col('ServiceAccounts', 1)],
  cells: (b, now) => [b.metadata.name, `${(b.roleRef as any)?.kind ?? ''}/${(b.roleRef as any)?.name ?? ''}`, ageOf(b.metadata.creationTimestamp, now), subjects(b, 'User'), subjects(b, 'Group'), subjects(b, 'ServiceAccount')],
};

/** Kubernetes' printers for rbac.authorization.k8s.io (printers.go: roleColumnDefinitions, roleBindingsColumnDefinitions). */
export const rbacColumnSets: Record<string, ColumnSet> = { Role: role, ClusterRole: role, RoleBinding: binding, ClusterRoleBinding: binding };
