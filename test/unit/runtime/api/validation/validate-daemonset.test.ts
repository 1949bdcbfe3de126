import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { validateDaemonSet, validateDaemonSetUpdate, validatePodDisruptionBudget, validateReplicationController } from '../../../../../runtime/api/validation/validate-daemonset.js';

const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const ds = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'd' },
  spec: { selector: { matchLabels: { app: 'a' } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, ...spec },
});
const messages = (causes: Array<{ field?: string; message: string }>) => causes.map((c) => `${c.field}: ${c.message}`);

describe('DaemonSet validation', () => {
  it.each([
    ['a valid one', {}, []],
    ['maxUnavailable and maxSurge both 0', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }, ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']],
    ['both non-zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } } }, ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero']],
    ['a percentage above 100%', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 0 } } }, ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%']],
    ['an unknown strategy', { updateStrategy: { type: 'Recreate' } }, ['spec.updateStrategy.type: Unsupported value: "Recreate": supported values: "OnDelete", "RollingUpdate"']],
    ['a selector the template does not match', { selector: { matchLabels: { app: 'b' } } }, ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"a"}: `selector` does not match template `labels`']],
    ['pods that do not restart Always', { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } }, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
  ])('%s', (_what, spec, want) => {
    expect(messages(validateDaemonSet(ds(spec)))).toEqual(want);
  });

  it('keeps the selector immutable', () => {
    expect(messages(validateDaemonSetUpdate(ds({ selector: { matchLabels: { app: 'b' } } }), ds({})))).toEqual([expect.stringMatching(/^spec\.selector: Invalid value: .*: field is immutable$/)]);
    expect(validateDaemonSetUpdate(ds({ minReadySeconds: 5 }), ds({}))).toEqual([]);
  });
});

describe('ReplicationController and PodDisruptionBudget validation', () => {
  it('an RC needs a selector its template labels satisfy', () => {
    const rc = (selector: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r' }, spec: { selector, template } });
    expect(validateReplicationController(rc({ app: 'a' }))).toEqual([]);
    expect(messages(validateReplicationController(rc({})))).toEqual(['spec.selector: Required value']);
    expect(messages(validateReplicationController(rc({ app: 'b' })))[0]).toMatch(/^spec\.template\.metadata\.labels: .*`selector` does not match template `labels`$/);
  });

  it('a PDB takes minAvailable or maxUnavailable, not both', () => {
    const pdb = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec });
    expect(validatePodDisruptionBudget(pdb({ minAvailable: '50%' }))).toEqual([]);
    expect(messages(validatePodDisruptionBudget(pdb({ minAvailable: 1, maxUnavailable: 1 })))[0]).toMatch(/^spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);
    expect(messages(validatePodDisruptionBudget(pdb({ maxUnavailable: -1 })))).toEqual(['spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0']);
  });
});
