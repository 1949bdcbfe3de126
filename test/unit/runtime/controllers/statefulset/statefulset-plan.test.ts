import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { planStatefulSet } from '../../../../../runtime/controllers/statefulset/statefulset-plan.js';

type PodState = 'ready' | 'running' | 'pending' | 'failed' | 'deleting';
const rev = { current: 'web-old', update: 'web-new' };

function set(spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'ns', uid: 'set', generation: 3 }, spec: { replicas: 3, ...spec } };
}

/** `web-<ordinal>` in a state, at a revision (default: the update revision). */
function pod(ordinal: number, state: PodState, revision = rev.update): KubeObject {
  const phase = state === 'failed' ? 'Failed' : state === 'pending' ? 'Pending' : 'Running';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${ordinal}`, namespace: 'ns', uid: `pod-${ordinal}`, labels: { 'controller-revision-hash': revision }, ...(state === 'deleting' ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    status: { phase, conditions: [{ type: 'Ready', status: state === 'ready' || state === 'deleting' ? 'True' : 'False' }] },
  };
}

const names = (pods: KubeObject[]) => pods.map((p) => p.metadata.name);

describe('planStatefulSet', () => {
  const cases: Array<{ name: string; spec?: Record<string, unknown>; pods: KubeObject[]; create: number[]; remove: string[] }> = [
    { name: 'OrderedReady: an empty set starts with web-0 only', pods: [], create: [0], remove: [] },
    { name: 'OrderedReady: web-1 waits while web-0 is not ready', pods: [pod(0, 'running')], create: [], remove: [] },
    { name: 'OrderedReady: web-1 comes once web-0 is ready', pods: [pod(0, 'ready')], create: [1], remove: [] },
    { name: 'OrderedReady: a missing lower ordinal comes first', pods: [pod(1, 'ready')], create: [0], remove: [] },
    { name: 'OrderedReady: a failed pod is deleted to be made again, and nothing after it', pods: [pod(0, 'failed')], create: [], remove: ['web-0'] },
    { name: 'Parallel: every missing pod at once', spec: { podManagementPolicy: 'Parallel' }, pods: [pod(1, 'pending')], create: [0, 2], remove: [] },
    {
      name: 'OrderedReady: scale down removes the highest ordinal first, one at a time',
      spec: { replicas: 1 },
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready')],
      create: [],
      remove: ['web-2'],
    },
    { name: 'OrderedReady: scale down waits for a terminating pod', spec: { replicas: 1 }, pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'deleting')], create: [], remove: [] },
    { name: 'OrderedReady: scale down waits while another pod is unhealthy', spec: { replicas: 1 }, pods: [pod(0, 'running'), pod(1, 'ready')], create: [], remove: [] },
    { name: 'Parallel: scale down removes every condemned pod', spec: { replicas: 1, podManagementPolicy: 'Parallel' }, pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready')], create: [], remove: ['web-2', 'web-1'] },
    {
      name: 'RollingUpdate: the highest outdated ordinal goes first',
      pods: [pod(0, 'ready', rev.current), pod(1, 'ready', rev.current), pod(2, 'ready', rev.current)],
      create: [],
      remove: ['web-2'],
    },
    {
      name: 'RollingUpdate: the next waits until the updated one is ready',
      pods: [pod(0, 'ready', rev.current), pod(1, 'ready', rev.current), pod(2, 'running')],
      create: [],
      remove: [],
    },
    {
      name: 'RollingUpdate: ordinals below the partition keep their revision',
      spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
      pods: [pod(0, 'ready', rev.current), pod(1, 'ready', rev.current), pod(2, 'ready')],
      create: [],
      remove: [],
    },
    {
      name: 'OnDelete: outdated pods stay until deleted',
      spec: { updateStrategy: { type: 'OnDelete' } },
      pods: [pod(0, 'ready', rev.current), pod(1, 'ready', rev.current), pod(2, 'ready', rev.current)],
      create: [],
      remove: [],
    },
    { name: 'ordinals.start shifts the range', spec: { replicas: 2, ordinals: { start: 5 } }, pods: [pod(5, 'ready')], create: [6], remove: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planStatefulSet(set(c.spec), c.pods, rev);
      expect(plan.create).toEqual(c.create);
      expect(names(plan.remove)).toEqual(c.remove);
    });
  }

  it('minReadySeconds: the next ordinal waits until the pod has been ready that long, and says when to look again', () => {
    const now = Date.parse('2026-01-01T00:00:10Z');
    const readySince = (at: string) => ({ ...pod(0, 'ready'), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } });
    const early = planStatefulSet(set({ minReadySeconds: 5 }), [readySince('2026-01-01T00:00:08Z')], rev, now);
    expect(early.create).toEqual([]);
    expect(early.requeueAfterMs).toBe(3001);
    expect(early.status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    const later = planStatefulSet(set({ minReadySeconds: 5 }), [readySince('2026-01-01T00:00:04Z')], rev, now);
    expect(later.create).toEqual([1]);
    expect(later.status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  });

  it('ignores pods whose name is not <set>-<ordinal>', () => {
    const stray = { ...pod(0, 'ready'), metadata: { ...pod(0, 'ready').metadata, name: 'web-abc' } };
    expect(planStatefulSet(set({ replicas: 1 }), [stray], rev).create).toEqual([0]);
  });

  it('reports status from the pods, moving currentRevision once every pod is updated and ready', () => {
    const rolling = planStatefulSet(set(), [pod(0, 'ready', rev.current), pod(1, 'ready'), pod(2, 'running')], rev).status;
    expect(rolling).toMatchObject({ observedGeneration: 3, replicas: 3, readyReplicas: 2, currentReplicas: 1, updatedReplicas: 2, currentRevision: 'web-old', updateRevision: 'web-new' });
    const done = planStatefulSet(set(), [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready')], rev).status;
    expect(done).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: 'web-new' });
  });
});
