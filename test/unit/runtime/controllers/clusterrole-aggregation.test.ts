import { describe, expect, it } from 'vitest';
import { aggregatedRules } from '../../../../runtime/controllers/rbac/clusterrole-aggregation-controller.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';

const role = (name: string, labels: Record<string, string>, rules: unknown[], selectors?: unknown[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}),
});
const r = (resource: string, verbs = ['get']) => ({ apiGroups: ['example.com'], resources: [resource], verbs });
const TO_EDIT = { matchLabels: { 'aggregate-to-edit': 'true' } };

describe('aggregatedRules', () => {
  it.each([
    ['gathers the labelled roles by name, each rule once', [TO_EDIT], [role('zeta', { 'aggregate-to-edit': 'true' }, [r('b'), r('a')]), role('alpha', { 'aggregate-to-edit': 'true' }, [r('a')]), role('other', {}, [r('c')])], [r('a'), r('b')]],
    ['selectors in turn, not roles', [{ matchLabels: { second: 'true' } }, { matchLabels: { first: 'true' } }], [role('a', { first: 'true' }, [r('x')]), role('b', { second: 'true' }, [r('y')])], [r('y'), r('x')]],
    ['never itself, though labelled', [TO_EDIT], [role('edit', { 'aggregate-to-edit': 'true' }, [r('self')]), role('crd', { 'aggregate-to-edit': 'true' }, [r('w')])], [r('w')]],
    ['an empty selector gathers every role', [{}], [role('cluster-admin', {}, [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }])], [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]],
    ['nothing matched: no rules', [TO_EDIT], [role('other', {}, [r('c')])], []],
    ['rules differing only in verbs are both kept', [TO_EDIT], [role('a', { 'aggregate-to-edit': 'true' }, [r('w', ['get'])]), role('b', { 'aggregate-to-edit': 'true' }, [r('w', ['list'])])], [r('w', ['get']), r('w', ['list'])]],
  ] as const)('%s', (_name, selectors, others, expected) => {
    const edit = role('edit', {}, [], selectors as unknown as unknown[]);
    expect(aggregatedRules(edit, [edit, ...(others as unknown as KubeObject[])])).toEqual(expected);
  });
});
