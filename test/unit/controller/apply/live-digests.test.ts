import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { contentDigestOf } from '../../../../controller/apply/live-digests.js';

const live = (overrides: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'a',
      namespace: 'shop',
      uid: 'u',
      resourceVersion: '5',
      creationTimestamp: '2026-01-02T03:04:05Z',
      labels: { z: '1', a: '2' },
      annotations: undefined,
      managedFields: [{ manager: 'baton', operation: 'Apply', time: '2026-01-02T03:04:05Z', fieldsV1: { 'f:data': { 'f:k': {} } } }],
      ...overrides,
    },
    data: { k: 'v' },
  }) as unknown as KubernetesObject;

describe('contentDigestOf', () => {
  it('ignores what a no-op apply may bump (resourceVersion, managedFields times) and status', () => {
    const bumped = live({ resourceVersion: '6', managedFields: [{ manager: 'baton', operation: 'Apply', time: '2027-01-01T00:00:00Z', fieldsV1: { 'f:data': { 'f:k': {} } } }] });
    expect(contentDigestOf(bumped)).toBe(contentDigestOf(live()));
    expect(contentDigestOf({ ...live(), status: { phase: 'x' } } as KubernetesObject)).toBe(contentDigestOf(live()));
  });

  it('sees a changed field, label or field owner', () => {
    const base = contentDigestOf(live());
    expect(contentDigestOf({ ...live(), data: { k: 'w' } } as KubernetesObject)).not.toBe(base);
    expect(contentDigestOf(live({ labels: { z: '1', a: '3' } }))).not.toBe(base);
    expect(contentDigestOf(live({ managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:k': {} } } }] }))).not.toBe(base);
  });
});
