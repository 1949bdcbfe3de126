import { describe, expect, it } from 'vitest';
import { rolloutStatus, type LiveWorkload } from '../../../../controller/health/rollout-status.js';

const deployment = (generation: number, spec: object, status: object): LiveWorkload => ({
  kind: 'Deployment',
  metadata: { name: 'web', generation },
  spec: { replicas: 2, ...spec },
  status: { observedGeneration: generation, ...status },
});

describe('rolloutStatus', () => {
  it.each([
    ['a spec change not yet seen', { ...deployment(3, {}, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), status: { observedGeneration: 2 } }, 'progressing', 'waiting for the deployment spec update to be observed'],
    ['new replicas still being made', deployment(2, {}, { replicas: 3, updatedReplicas: 1, availableReplicas: 2 }), 'progressing', '1 out of 2 new replicas have been updated'],
    ['old replicas still terminating', deployment(2, {}, { replicas: 3, updatedReplicas: 2, availableReplicas: 2 }), 'progressing', '1 old replicas are pending termination'],
    ['updated replicas not available yet', deployment(2, {}, { replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), 'progressing', '1 of 2 updated replicas are available'],
    ['rolled out', deployment(2, {}, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), 'done', '2 of 2 replicas available'],
    ['scaled to zero', deployment(1, { replicas: 0 }, {}), 'done', '0 of 0 replicas available'],
    [
      'past its progress deadline',
      deployment(2, {}, { replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] }),
      'failed',
      'exceeded its progress deadline (ReplicaSet "web-1" has timed out progressing.)',
    ],
    ['a ready pod', { kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'done', 'ready'],
    ['a running pod not ready', { kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } }, 'progressing', 'not ready'],
    ['a failed pod', { kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Failed' } }, 'failed', 'failed'],
    ['a completed pod', { kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Succeeded' } }, 'done', 'completed'],
    ['a statefulset mid-update', { kind: 'StatefulSet', metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: 2, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' } }, 'progressing', '1 pods at revision b'],
    ['a daemonset rolled out', { kind: 'DaemonSet', metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } }, 'done', '1 of 1 pods available'],
    ['a replicaset short of replicas', { kind: 'ReplicaSet', metadata: { generation: 1 }, spec: { replicas: 3 }, status: { observedGeneration: 1, availableReplicas: 1 } }, 'progressing', '1 of 3 replicas are available'],
    ['a kind without a rollout', { kind: 'ConfigMap' }, 'done', 'exists'],
  ])('%s', (_name, object, state, message) => {
    expect(rolloutStatus(object as LiveWorkload)).toMatchObject({ state, message });
  });

  it.each([
    ['new replicas still being made', deployment(2, {}, { replicas: 3, updatedReplicas: 1, availableReplicas: 2 }), { desired: 2, updated: 1, ready: 1 }],
    ['updated replicas not available yet', deployment(2, {}, { replicas: 2, updatedReplicas: 2, availableReplicas: 1 }), { desired: 2, updated: 2, ready: 1 }],
    ['rolled out', deployment(2, {}, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), { desired: 2, updated: 2, ready: 2 }],
    ['a spec change not yet seen', { ...deployment(3, {}, { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }), status: { observedGeneration: 2 } }, undefined],
    ['a running pod not ready', { kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running' } }, { desired: 1, updated: 1, ready: 0 }],
    ['a replicaset short of replicas', { kind: 'ReplicaSet', metadata: { generation: 1 }, spec: { replicas: 3 }, status: { observedGeneration: 1, replicas: 3, availableReplicas: 1 } }, { desired: 3, updated: 3, ready: 1 }],
    ['a kind without a rollout', { kind: 'ConfigMap' }, undefined],
  ])('counts pods for progress: %s', (_name, object, replicas) => {
    expect(rolloutStatus(object as LiveWorkload).replicas).toEqual(replicas);
  });
});
