import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { jobNameFor, planCronJob } from '../../../../../runtime/controllers/cronjob/cronjob-plan.js';
import { rfc3339In } from '../../../../../runtime/controllers/cronjob/job-from-template.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function cronJob(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'ns', uid: 'cj-uid', creationTimestamp: at(0) },
    spec: { schedule: '*/1 * * * *', timeZone: 'UTC', concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: {} }, ...spec },
    status,
  };
}

function job(name: string, state: 'running' | 'Complete' | 'Failed', startS = 0): KubeObject {
  const finished = state === 'running' ? {} : { conditions: [{ type: state, status: 'True' }], ...(state === 'Complete' ? { completionTime: at(startS + 5) } : {}) };
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'ns', uid: `${name}-uid` }, spec: {}, status: { startTime: at(startS), ...finished } };
}

const ref = (name: string) => ({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'ns', name, uid: `${name}-uid` });

describe('planCronJob', () => {
  const cases: Array<[string, KubeObject, KubeObject[], number, { startAt?: number | null; remove?: string[]; events?: string[]; active?: string[] }]> = [
    ['nothing is due before the first start time', cronJob(), [], 59, { startAt: null }],
    ['the start time at a minute boundary is due', cronJob(), [], 60, { startAt: 60 }],
    ['of several missed start times only the latest runs', cronJob(), [], 200, { startAt: 180 }],
    ['a start time already made is not made twice', cronJob({}, { lastScheduleTime: at(60) }), [], 90, { startAt: null }],
    ['Forbid skips while a job runs', cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: at(60), active: [ref('a')] }), [job('a', 'running', 60)], 120, { startAt: null, events: ['JobAlreadyActive'] }],
    ['Replace deletes the running job and starts anew', cronJob({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: at(60), active: [ref('a')] }), [job('a', 'running', 60)], 120, { startAt: 120, remove: ['a'], active: [] }],
    ['Allow runs alongside', cronJob({}, { lastScheduleTime: at(60), active: [ref('a')] }), [job('a', 'running', 60)], 120, { startAt: 120, active: ['a'] }],
    ['a finished job leaves the active list', cronJob({}, { lastScheduleTime: at(60), active: [ref('a')] }), [job('a', 'Complete', 60)], 90, { events: ['SawCompletedJob'], active: [] }],
    ['suspend starts nothing', cronJob({ suspend: true }), [], 200, { startAt: null }],
    ['a start later than startingDeadlineSeconds is skipped', cronJob({ startingDeadlineSeconds: 10 }, { lastScheduleTime: at(0) }), [], 75, { startAt: null }],
    ['within startingDeadlineSeconds it runs', cronJob({ startingDeadlineSeconds: 10 }, { lastScheduleTime: at(0) }), [], 65, { startAt: 60 }],
    ['more than 100 missed start times warn and run the latest', cronJob({ schedule: '* * * * *' }), [], 200 * 60, { startAt: 200 * 60, events: ['TooManyMissedTimes'] }],
    ['history keeps 3 successful and 1 failed job', cronJob({}, { lastScheduleTime: at(300) }), [job('s1', 'Complete', 1), job('s2', 'Complete', 2), job('s3', 'Complete', 3), job('s4', 'Complete', 4), job('f1', 'Failed', 1), job('f2', 'Failed', 2)], 310, { remove: ['s1', 'f1'] }],
    ['a time zone moves the schedule', cronJob({ schedule: '30 1 * * *', timeZone: 'Europe/Paris' }), [], 3600, { startAt: 1800 }],
    ['the same schedule in UTC is not due yet', cronJob({ schedule: '30 1 * * *' }), [], 3600, { startAt: null }],
  ];
  for (const [name, cj, jobs, nowS, want] of cases) {
    it(name, () => {
      const plan = planCronJob(cj, jobs, new Date(T0 + nowS * 1000));
      if (want.startAt !== undefined) expect(plan.startAt?.getTime() ?? null).toBe(want.startAt === null ? null : T0 + want.startAt * 1000);
      if (want.remove) expect(plan.remove.map((j) => j.metadata.name)).toEqual(want.remove);
      if (want.events) expect(plan.events.map((e) => e.reason)).toEqual(want.events);
      if (want.active) expect((plan.status.active ?? []).map((r: { name: string }) => r.name)).toEqual(want.active);
    });
  }

  it('names jobs by the scheduled time in minutes since the epoch', () => {
    expect(jobNameFor('backup', new Date(T0 + 60_000))).toBe(`backup-${T0 / 60_000 + 1}`);
  });

  it('comes back just after the next start time', () => {
    expect(planCronJob(cronJob(), [], new Date(T0 + 30_000)).requeueAfterMs).toBe(30_100);
  });
});

describe('rfc3339In', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, '2026-01-01T00:30:00Z'],
    ['UTC', '2026-01-01T00:30:00Z'],
    ['Europe/Paris', '2026-01-01T01:30:00+01:00'],
    ['America/New_York', '2025-12-31T19:30:00-05:00'],
    ['Asia/Kolkata', '2026-01-01T06:00:00+05:30'],
  ];
  for (const [zone, want] of cases) it(`${zone ?? 'no zone'}: ${want}`, () => expect(rfc3339In(new Date(T0 + 1_800_000), zone)).toBe(want));
});
