import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { deletionOrder } from '../../../../../runtime/controllers/replicaset/pod-deletion-order.js';

function pod(name: string, opts: { node?: boolean; phase?: string; ready?: boolean; readySince?: string; restarts?: number; created?: string }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
    spec: opts.node === false ? {} : { nodeName: 'local' },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: opts.readySince ?? '2026-01-01T00:00:00Z' }],
      containerStatuses: [{ restartCount: opts.restarts ?? 0 }],
    },
  };
}

describe('scale-down picks pods as Kubernetes does', () => {
  it.each([
    ['unscheduled before scheduled', pod('a', { node: false, ready: true }), pod('b', { ready: true })],
    ['pending before running', pod('a', { phase: 'Pending' }), pod('b', { phase: 'Running' })],
    ['not ready before ready', pod('a', { ready: false }), pod('b', { ready: true })],
    ['ready for less time first', pod('a', { ready: true, readySince: '2026-01-01T00:05:00Z' }), pod('b', { ready: true })],
    ['more restarts first', pod('a', { restarts: 3 }), pod('b', { restarts: 0 })],
    ['younger first', pod('a', { created: '2026-01-02T00:00:00Z' }), pod('b', {})],
  ])('%s', (_name, first, second) => {
    expect([second, first].sort(deletionOrder).map((p) => p.metadata.name)).toEqual(['a', 'b']);
  });
});
