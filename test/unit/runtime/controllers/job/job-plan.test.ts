import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { planJob } from '../../../../../runtime/controllers/job/job-plan.js';
import { podBackoffRemainingMs } from '../../../../../runtime/controllers/job/pod-backoff.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function job(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'ns', uid: 'u', creationTimestamp: at(0) },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never' } }, ...spec },
    status,
  };
}

let n = 0;
function pod(phase: string, finishedAtS = 0, extra: Record<string, any> = {}): KubeObject {
  const terminated = phase === 'Succeeded' || phase === 'Failed' ? { state: { terminated: { finishedAt: at(finishedAtS), exitCode: phase === 'Failed' ? 1 : 0 } } } : {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${n++}`, namespace: 'ns', uid: `p${n}`, creationTimestamp: at(0), ...(extra.metadata ?? {}) },
    spec: {},
    status: { phase, containerStatuses: [{ name: 'c', restartCount: extra.restarts ?? 0, ...terminated }] },
  };
}

const types = (status: Record<string, any>) => (status.conditions ?? []).filter((c: any) => c.status === 'True').map((c: any) => `${c.type}:${c.reason}`);

describe('planJob', () => {
  const cases: Array<[string, KubeObject, KubeObject[], number, { create?: number; remove?: number; conditions?: string[]; requeue?: number; status?: Record<string, unknown> }]> = [
    ['a new job starts one pod and its clock', job(), [], 0, { create: 1, conditions: [], status: { active: 1, startTime: at(0), ready: 0, terminating: 0 } }],
    ['parallelism caps running pods by what is left to complete', job({ parallelism: 3, completions: 5 }, { startTime: at(0) }), [pod('Succeeded'), pod('Succeeded'), pod('Succeeded')], 5, { create: 2 }],
    ['a job whose pods succeeded completes', job({}, { startTime: at(0) }), [pod('Succeeded', 3)], 5, { create: 0, conditions: ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'], status: { succeeded: 1, completionTime: at(5) } }],
    ['a failed pod is replaced only after 10 s', job({}, { startTime: at(0) }), [pod('Failed', 2)], 5, { create: 0, requeue: 7000, status: { failed: 1 } }],
    ['after the back-off the replacement starts', job({}, { startTime: at(0) }), [pod('Failed', 2)], 12, { create: 1 }],
    ['the back-off doubles per failure', job({}, { startTime: at(0) }), [pod('Failed', 1), pod('Failed', 12)], 25, { create: 0, requeue: 7000 }],
    ['more failures than backoffLimit fail the job', job({ backoffLimit: 1 }, { startTime: at(0) }), [pod('Failed', 1), pod('Failed', 12)], 13, { conditions: ['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded'], create: 0 }],
    ['OnFailure counts container restarts against backoffLimit', job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure' } } }, { startTime: at(0) }), [pod('Running', 0, { restarts: 2 })], 13, { remove: 1, conditions: ['FailureTarget:BackoffLimitExceeded'] }],
    ['activeDeadlineSeconds fails a running job and stops its pods', job({ activeDeadlineSeconds: 30 }, { startTime: at(0) }), [pod('Running')], 30, { remove: 1, conditions: ['FailureTarget:DeadlineExceeded'], status: { terminating: 1 } }],
    ['before the deadline it comes back at the deadline', job({ activeDeadlineSeconds: 30 }, { startTime: at(0) }), [pod('Running')], 10, { create: 0, requeue: 20000 }],
    ['a suspended job stops its pods and its clock', job({ suspend: true }, { startTime: at(0) }), [pod('Running')], 3, { remove: 1, conditions: ['Suspended:JobSuspended'] }],
    ['a finished job past its TTL expires', job({ ttlSecondsAfterFinished: 10 }, { completionTime: at(5), conditions: [{ type: 'Complete', status: 'True', reason: 'CompletionsReached' }] }), [pod('Succeeded', 4)], 15, { create: 0 }],
    ['without completions, one success stops new pods but lets the rest finish', job({ completions: undefined, parallelism: 2 }, { startTime: at(0) }), [pod('Succeeded', 1), pod('Running')], 3, { create: 0, remove: 0, conditions: [] }],
  ];
  for (const [name, j, pods, nowS, want] of cases) {
    it(name, () => {
      const plan = planJob(j, pods, T0 + nowS * 1000);
      if (want.create !== undefined) expect(plan.create).toBe(want.create);
      if (want.remove !== undefined) expect(plan.remove).toHaveLength(want.remove);
      if (want.conditions !== undefined) expect(types(plan.status)).toEqual(want.conditions);
      if (want.requeue !== undefined) expect(plan.requeueAfterMs).toBe(want.requeue);
      if (want.status) expect(plan.status).toMatchObject(want.status);
    });
  }

  it('keeps counts when finished pods are deleted, so their work is not redone', () => {
    const plan = planJob(job({ completions: 2 }, { startTime: at(0), succeeded: 1, failed: 2 }), [], T0 + 60_000);
    expect(plan.status).toMatchObject({ succeeded: 1, failed: 2 });
    expect(plan.create).toBe(1);
    const indexed = planJob(job({ completionMode: 'Indexed', completions: 4, parallelism: 4 }, { startTime: at(0), completedIndexes: '0-1,3' }), [], T0 + 60_000);
    expect(indexed.indexes).toEqual([2]);
  });

  it('expires a finished job once ttlSecondsAfterFinished has passed, not before', () => {
    const finished = job({ ttlSecondsAfterFinished: 10 }, { completionTime: at(5), conditions: [{ type: 'Complete', status: 'True' }] });
    expect(planJob(finished, [], T0 + 14_000)).toMatchObject({ expired: false, requeueAfterMs: 1000 });
    expect(planJob(finished, [], T0 + 15_000).expired).toBe(true);
  });
});

describe('planJob with Indexed completion', () => {
  const indexedJob = (completions: number, parallelism: number) => job({ completionMode: 'Indexed', completions, parallelism }, { startTime: at(0) });
  const indexed = (phase: string, index: number | string) => {
    const p = pod(phase, 1);
    p.metadata.annotations = { 'batch.kubernetes.io/job-completion-index': String(index) };
    return p;
  };
  const cases: Array<[string, KubeObject, KubeObject[], { indexes?: number[]; remove?: number; status?: Record<string, unknown>; conditions?: string[] }]> = [
    ['starts the lowest indexes up to parallelism', indexedJob(5, 2), [], { indexes: [0, 1] }],
    ['skips succeeded and running indexes', indexedJob(5, 3), [indexed('Succeeded', 0), indexed('Running', 1)], { indexes: [2, 3], status: { succeeded: 1, completedIndexes: '0' } }],
    ['a second pod for one index is removed', indexedJob(3, 3), [indexed('Running', 1), indexed('Running', 1)], { remove: 1, indexes: [0, 2] }],
    ['a pod whose index already succeeded is removed', indexedJob(3, 3), [indexed('Succeeded', 1), indexed('Running', 1)], { remove: 1 }],
    ['a pod without a valid index is removed', indexedJob(3, 1), [indexed('Running', 'x')], { remove: 1, indexes: [0] }],
    ['every index succeeded completes, successes counted once per index', indexedJob(3, 3), [indexed('Succeeded', 0), indexed('Succeeded', 1), indexed('Succeeded', 1), indexed('Succeeded', 2)], { status: { succeeded: 3, completedIndexes: '0-2' }, conditions: ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'] }],
  ];
  for (const [name, j, pods, want] of cases) {
    it(name, () => {
      const plan = planJob(j, pods, T0 + 60_000);
      if (want.indexes) expect(plan.indexes).toEqual(want.indexes);
      if (want.remove !== undefined) expect(plan.remove).toHaveLength(want.remove);
      if (want.status) expect(plan.status).toMatchObject(want.status);
      if (want.conditions) expect(types(plan.status)).toEqual(want.conditions);
    });
  }
});

describe('podBackoffRemainingMs', () => {
  const cases: Array<[string, number[], number[], number, number]> = [
    ['no failures', [], [], 0, 0],
    ['one failure waits 10 s', [], [0], 4, 6000],
    ['three failures wait 40 s', [], [0, 0, 0], 0, 40_000],
    ['capped at 6 minutes', [], Array(12).fill(0), 0, 360_000],
    ['a later success resets the count', [5], [0, 1, 2], 6, 0],
  ];
  for (const [name, ok, bad, nowS, want] of cases) {
    it(name, () => expect(podBackoffRemainingMs(ok.map((s) => pod('Succeeded', s)), bad.map((s) => pod('Failed', s)), T0 + nowS * 1000)).toBe(want));
  }
});
