import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';
import { waitFor } from '../support/wait.js';

// A chart that ships a CRD often ships ClusterRoles labelled aggregate-to-edit / aggregate-to-view,
// so that whoever is bound to Kubernetes' edit or view may use the new kind. The runtime keeps
// admin, edit and view aggregated, as kube-controller-manager does, and refuses an aggregationRule
// to anyone but a cluster admin: it can gather any rule.

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);
const NS = 'agg-team';

const WIDGETS_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const WIDGETS_EDIT = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-edit
  labels:
    rbac.authorization.k8s.io/aggregate-to-edit: "true"
rules:
- apiGroups: [example.com]
  resources: [widgets]
  verbs: [create, delete, get, list, patch, update, watch]
`;

const canI = async (user: string, ...args: string[]) => (await kubectl(rt.kubeconfig, ['auth', 'can-i', ...args, `--as=${user}`])).stdout.trim();
const rulesOf = async (role: string) => JSON.parse(await k('get', 'clusterrole', role, '-o', 'json')).rules as Array<{ resources?: string[] }>;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', NS);
  await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], WIDGETS_CRD);
  await waitFor('widgets to be served', async () => (await kubectl(rt.kubeconfig, ['get', 'widgets', '-n', NS])).code === 0, { timeoutMs: 20_000, intervalMs: 200 });
  await k('create', 'rolebinding', 'alice-edit', '-n', NS, '--clusterrole=edit', '--user=alice');
  await k('create', 'rolebinding', 'bob-admin', '-n', NS, '--clusterrole=admin', '--user=bob');
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('ClusterRole aggregation', () => {
  it("gives edit and admin a chart's aggregate-to-edit rules, and takes them back when the role goes", { timeout: 60_000 }, async () => {
    expect(await canI('alice', 'create', 'widgets.example.com', '-n', NS)).toBe('no');
    expect(await canI('alice', 'create', 'deployments', '-n', NS)).toBe('yes');

    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], WIDGETS_EDIT);
    await waitFor('edit to gather widgets', async () => (await canI('alice', 'create', 'widgets.example.com', '-n', NS)) === 'yes', { timeoutMs: 20_000, intervalMs: 200 });
    // admin gathers edit, which is labelled aggregate-to-admin.
    await waitFor('admin to gather widgets', async () => (await canI('bob', 'delete', 'widgets.example.com', '-n', NS)) === 'yes', { timeoutMs: 20_000, intervalMs: 200 });
    expect((await rulesOf('edit')).some((r) => r.resources?.includes('widgets'))).toBe(true);
    expect((await rulesOf('view')).some((r) => r.resources?.includes('widgets'))).toBe(false);
    // Nothing else of alice's changed: she still may not touch Roles.
    expect(await canI('alice', 'create', 'roles', '-n', NS)).toBe('no');

    await k('delete', 'clusterrole', 'widgets-edit');
    await waitFor('edit to drop widgets', async () => (await canI('alice', 'create', 'widgets.example.com', '-n', NS)) === 'no', { timeoutMs: 20_000, intervalMs: 200 });
    expect(await canI('alice', 'create', 'deployments', '-n', NS)).toBe('yes');
  });

  it('refuses an aggregationRule to a user who may write ClusterRoles but is no cluster admin, as kube-apiserver does', { timeout: 60_000 }, async () => {
    await k('create', 'clusterrole', 'role-writer', '--verb=create,update,patch,get,list', '--resource=clusterroles');
    await k('create', 'clusterrolebinding', 'carol-role-writer', '--clusterrole=role-writer', '--user=carol');
    const aggregated = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: gather-all}
aggregationRule:
  clusterRoleSelectors: [{}]
rules: []
`;
    const refused = await kubectl(rt.kubeconfig, ['create', '-f', '-', '--as=carol'], aggregated);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('clusterroles.rbac.authorization.k8s.io "gather-all" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    expect((await kubectl(rt.kubeconfig, ['get', 'clusterrole', 'gather-all'])).code).not.toBe(0);

    // The same role without the rule grants nothing carol lacks: allowed.
    const plain = await kubectl(rt.kubeconfig, ['create', '-f', '-', '--as=carol'], 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: gather-none}\nrules: []\n');
    expect(plain.stderr).toBe('');
    // Taking the aggregationRule off a role needs the same authority as putting it on.
    await kubectlOk(rt.kubeconfig, ['create', '-f', '-'], 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: gather-some}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {nobody: "true"}}]\nrules: []\n');
    const stripped = await kubectl(rt.kubeconfig, ['patch', 'clusterrole', 'gather-some', '--type=json', '-p', '[{"op":"remove","path":"/aggregationRule"}]', '--as=carol']);
    expect(stripped.stderr).toContain('must have cluster-admin privileges to use the aggregationRule');
  });

  it("puts the aggregation rule back on a bootstrap role still marked autoupdate when the runtime starts (a state dir from before aggregation), and leaves one the user took over", { timeout: 120_000 }, async () => {
    await k('patch', 'clusterrole', 'view', '--type=json', '-p', '[{"op":"remove","path":"/aggregationRule"}]');
    await k('patch', 'clusterrole', 'edit', '--type=json', '-p', '[{"op":"remove","path":"/aggregationRule"}]');
    await k('annotate', 'clusterrole', 'edit', 'rbac.authorization.kubernetes.io/autoupdate=false', '--overwrite');
    await rt.stop();
    rt = await startRuntimeProcess(rt.stateDir);
    expect(JSON.parse(await k('get', 'clusterrole', 'view', '-o', 'json')).aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] });
    expect(JSON.parse(await k('get', 'clusterrole', 'edit', '-o', 'json')).aggregationRule).toBeUndefined();
    // The restarted runtime knows its aggregates from its first list: a new labelled role reaches admin (untouched by the
    // restart) at once, not at the next resync a minute later.
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], WIDGETS_EDIT.replace('widgets-edit', 'widgets-admin').replace('aggregate-to-edit', 'aggregate-to-admin'));
    await waitFor('admin to gather widgets after the restart', async () => (await rulesOf('admin')).some((r) => r.resources?.includes('widgets')), { timeoutMs: 20_000, intervalMs: 200 });
  });
});
