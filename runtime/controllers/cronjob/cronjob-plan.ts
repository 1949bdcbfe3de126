import type { KubeObject } from '../../kube/object.js';
import { isJobFinished } from '../job/job-plan.js';
import { missedStarts, MAX_MISSED_STARTS } from './cron-schedule.js';

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string;
}

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What one sync of a CronJob should do; computed without I/O so it can be table-tested. */
export interface CronJobPlan {
  /** Status with the active list and lastSuccessfulTime brought up to date (lastScheduleTime is set once a Job is made). */
  status: Record<string, any>;
  /** Jobs to delete: finished ones past the history limits, and (Replace) the running ones. */
  remove: KubeObject[];
  /** Make the Job for this start time. */
  startAt?: Date;
  events: CronJobEvent[];
  /** When to look again: just after the next start time. */
  requeueAfterMs?: number;
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`, so one start time never makes two Jobs. */
export function jobNameFor(cronJobName: string, scheduled: Date): string {
  return `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

export function jobReference(job: KubeObject): ObjectReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: String(job.metadata.namespace),
    name: String(job.metadata.name),
    uid: String(job.metadata.uid),
    resourceVersion: job.metadata.resourceVersion,
  };
}

function conditionTrue(job: KubeObject, type: string): boolean {
  return ((job.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === type && c.status === 'True');
}

/** byJobStartTime: oldest start first, Jobs not started last, names break ties. */
function byStartTime(a: KubeObject, b: KubeObject): number {
  const sa = a.status?.startTime ? Date.parse(a.status.startTime) : Infinity;
  const sb = b.status?.startTime ? Date.parse(b.status.startTime) : Infinity;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return String(a.metadata.name).localeCompare(String(b.metadata.name));
}

function pastLimit(jobs: KubeObject[], limit: number | undefined): KubeObject[] {
  if (limit === undefined || limit === null || jobs.length <= limit) return [];
  return [...jobs].sort(byStartTime).slice(0, jobs.length - limit);
}

/**
 * syncCronJob's decisions over the Jobs the CronJob controls: keep the
 * active list true to them, record the last success, trim finished Jobs to
 * the history limits, and when a start time has come (in `timeZone`, within
 * startingDeadlineSeconds) start a Job unless concurrencyPolicy forbids it,
 * replacing running ones under Replace.
 */
export function planCronJob(cj: KubeObject, jobs: KubeObject[], now: Date): CronJobPlan {
  const spec = cj.spec ?? {};
  const status: Record<string, any> = structuredClone(cj.status ?? {});
  const plan: CronJobPlan = { status, remove: [], events: [] };
  const byUid = new Map(jobs.map((j) => [String(j.metadata.uid), j]));
  let active: ObjectReference[] = [...(status.active ?? [])];
  const inActive = (uid: string) => active.some((r) => r.uid === uid);

  for (const job of jobs) {
    const uid = String(job.metadata.uid);
    const finished = isJobFinished(job);
    if (!finished && !inActive(uid)) {
      plan.events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${job.metadata.name}` });
    } else if (finished && inActive(uid)) {
      active = active.filter((r) => r.uid !== uid);
      const condition = conditionTrue(job, 'Complete') ? 'Complete' : 'Failed';
      plan.events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, condition: ${condition}` });
    }
    const completed = job.status?.completionTime;
    if (conditionTrue(job, 'Complete') && completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) {
      status.lastSuccessfulTime = completed;
    }
  }
  for (const ref of [...active]) {
    if (byUid.has(ref.uid)) continue;
    active = active.filter((r) => r.uid !== ref.uid);
    plan.events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
  }
  const setActive = () => {
    if (active.length) status.active = active;
    else delete status.active;
  };
  setActive();
  if (cj.metadata.deletionTimestamp) return plan;

  const finished = jobs.filter(isJobFinished);
  plan.remove.push(
    ...pastLimit(finished.filter((j) => conditionTrue(j, 'Complete')), spec.successfulJobsHistoryLimit),
    ...pastLimit(finished.filter((j) => conditionTrue(j, 'Failed')), spec.failedJobsHistoryLimit),
  );
  if (spec.suspend === true) return plan;

  const created = Date.parse(cj.metadata.creationTimestamp ?? '') || now.getTime();
  let earliest = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : created;
  const deadline = spec.startingDeadlineSeconds;
  if (typeof deadline === 'number') earliest = Math.max(earliest, now.getTime() - deadline * 1000);
  const missed = missedStarts(String(spec.schedule), spec.timeZone ?? undefined, new Date(earliest), now);
  // Wake just after the next start time (as Kubernetes adds 100 ms).
  plan.requeueAfterMs = missed.next.getTime() - now.getTime() + 100;
  const scheduled = missed.mostRecent;
  if (!scheduled) return plan;
  if (missed.count > MAX_MISSED_STARTS) {
    plan.events.push({
      type: 'Warning',
      reason: 'TooManyMissedTimes',
      message: `too many missed start times: ${missed.count}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
    });
  }
  if (typeof deadline === 'number' && scheduled.getTime() + deadline * 1000 < now.getTime()) {
    plan.events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc3339(scheduled)}` });
    return plan;
  }
  const name = jobNameFor(String(cj.metadata.name), scheduled);
  if (active.some((r) => r.name === name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled.getTime())) return plan;
  const policy = spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    plan.events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return plan;
  }
  if (policy === 'Replace') {
    for (const ref of active) {
      const job = byUid.get(ref.uid);
      if (job) plan.remove.push(job);
    }
    active = [];
    setActive();
  }
  plan.startAt = scheduled;
  return plan;
}
