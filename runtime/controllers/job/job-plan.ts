import type { KubeObject } from '../../kube/object.js';
import { isPodReady } from '../pod-conditions.js';
import { deletionOrder } from '../replicaset/pod-deletion-order.js';
import { formatIndexes, parseIndexes, podIndex } from './completion-index.js';
import { classifyJobPods, restartsOfActivePods } from './job-pods.js';
import { podBackoffRemainingMs } from './pod-backoff.js';

export interface JobCondition {
  type: 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';
  status: 'True' | 'False';
  lastProbeTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What one sync of a Job should do; computed without I/O so it can be table-tested. */
export interface JobPlan {
  status: Record<string, any>;
  /** Pods to create from the template. */
  create: number;
  /** For an Indexed Job, the completion index of each pod to create. */
  indexes?: number[];
  /** Active pods to delete. */
  remove: KubeObject[];
  events: JobEvent[];
  /** ttlSecondsAfterFinished has passed: delete the Job (its pods go by cascade). */
  expired: boolean;
  requeueAfterMs?: number;
}

export const FailReason = { BackoffLimitExceeded: 'BackoffLimitExceeded', DeadlineExceeded: 'DeadlineExceeded' } as const;
const FAIL_MESSAGES: Record<string, string> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
};

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function condition(status: Record<string, any>, type: JobCondition['type']): JobCondition | undefined {
  return (status.conditions as JobCondition[] | undefined)?.find((c) => c.type === type);
}

function isTrue(status: Record<string, any>, type: JobCondition['type']): boolean {
  return condition(status, type)?.status === 'True';
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
function setCondition(status: Record<string, any>, type: JobCondition['type'], value: 'True' | 'False', reason: string, message: string, now: number): void {
  const list: JobCondition[] = [...(status.conditions ?? [])];
  const i = list.findIndex((c) => c.type === type);
  const stamp = rfc3339(now);
  const next: JobCondition = { type, status: value, lastProbeTime: stamp, lastTransitionTime: stamp, reason, message };
  if (i >= 0) {
    if (list[i].status === value && list[i].reason === reason) return;
    if (list[i].status === value) next.lastTransitionTime = list[i].lastTransitionTime;
    list[i] = next;
  } else list.push(next);
  status.conditions = list;
}

export function isJobFinished(job: KubeObject): boolean {
  const status = job.status ?? {};
  return isTrue(status, 'Complete') || isTrue(status, 'Failed');
}

/** When a finished Job finished: completionTime, else the Failed condition's transition. */
export function jobFinishedAt(job: KubeObject): number | undefined {
  const status = job.status ?? {};
  const at = Date.parse(status.completionTime ?? condition(status, 'Failed')?.lastTransitionTime ?? condition(status, 'Complete')?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at;
}

/**
 * syncJob's decisions for a NonIndexed Job over the pods it controls: keep
 * `parallelism` pods running until `completions` succeeded, replace failed
 * pods after the pod back-off, fail on backoffLimit or activeDeadlineSeconds
 * (FailureTarget first, Failed once no pod is left running), complete
 * likewise (SuccessCriteriaMet, then Complete), suspend and resume, and
 * expire finished Jobs after ttlSecondsAfterFinished.
 */
export function planJob(job: KubeObject, pods: KubeObject[], now: number): JobPlan {
  const spec = job.spec ?? {};
  const status: Record<string, any> = structuredClone(job.status ?? {});
  const indexed = spec.completionMode === 'Indexed';
  const completionsOf: number | undefined = spec.completions ?? (spec.parallelism === undefined ? 1 : undefined);
  // An Indexed Job counts one success per index and ignores pods without a valid index.
  const inRange = (p: KubeObject) => {
    const i = podIndex(p);
    return i !== undefined && i < (completionsOf ?? 0);
  };
  const counts = classifyJobPods(indexed ? pods.filter((p) => inRange(p) || (!p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) : pods);
  // Counts never go down, so deleting a finished pod neither reruns its work nor forgives its failure
  // (Kubernetes gets the same from its tracking finalizers).
  const succeededIndexes = new Set(indexed ? [...parseIndexes(status.completedIndexes ?? ''), ...counts.succeeded.map((p) => podIndex(p)!)] : []);
  const succeededCount = indexed ? succeededIndexes.size : Math.max(status.succeeded ?? 0, counts.succeeded.length);
  const failedCount = Math.max(status.failed ?? 0, counts.failed.length);
  const plan: JobPlan = { status, create: 0, remove: [], events: [], expired: false };
  const requeue = (ms: number) => {
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, Math.max(0, Math.ceil(ms)));
  };

  const finish = (): JobPlan => {
    const removed = new Set(plan.remove);
    const active = counts.active.filter((p) => !removed.has(p));
    status.active = active.length + plan.create;
    status.succeeded = succeededCount;
    if (indexed && succeededIndexes.size) status.completedIndexes = formatIndexes(succeededIndexes);
    status.failed = failedCount;
    status.ready = active.filter(isPodReady).length;
    status.terminating = counts.terminating + plan.remove.length;
    status.uncountedTerminatedPods ??= {};
    // As Kubernetes serializes JobStatus: these counts are omitted when zero; ready and terminating are not.
    for (const k of ['active', 'succeeded', 'failed']) if (status[k] === 0) delete status[k];
    return plan;
  };

  if (isJobFinished(job)) {
    plan.remove = counts.active;
    const ttl = spec.ttlSecondsAfterFinished;
    const at = jobFinishedAt(job);
    if (typeof ttl === 'number' && at !== undefined) {
      const expiresAt = at + ttl * 1000;
      if (now >= expiresAt) plan.expired = true;
      else requeue(expiresAt - now);
    }
    return finish();
  }
  if (job.metadata.deletionTimestamp) return finish();

  const parallelism: number = spec.parallelism ?? 1;
  const completions = completionsOf;
  const backoffLimit: number = spec.backoffLimit ?? 6;
  const startMs = Date.parse(status.startTime ?? '');

  let failReason = status.conditions?.find((c: JobCondition) => c.type === 'FailureTarget' && c.status === 'True')?.reason as string | undefined;
  if (!failReason) {
    const restarts = spec.template?.spec?.restartPolicy === 'OnFailure' ? restartsOfActivePods(counts.active) : 0;
    const restartsExceeded = spec.template?.spec?.restartPolicy === 'OnFailure' && (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit);
    if (failedCount > backoffLimit || restartsExceeded) failReason = FailReason.BackoffLimitExceeded;
    else if (typeof spec.activeDeadlineSeconds === 'number' && !Number.isNaN(startMs) && !spec.suspend) {
      const deadline = startMs + spec.activeDeadlineSeconds * 1000;
      if (now >= deadline) failReason = FailReason.DeadlineExceeded;
      else requeue(deadline - now);
    }
  }
  if (failReason) {
    const message = FAIL_MESSAGES[failReason] ?? failReason;
    if (!isTrue(status, 'FailureTarget')) {
      setCondition(status, 'FailureTarget', 'True', failReason, message, now);
      plan.events.push({ type: 'Warning', reason: failReason, message });
    }
    plan.remove = counts.active;
    if (counts.terminating === 0 && plan.remove.length === 0) setCondition(status, 'Failed', 'True', failReason, message, now);
    return finish();
  }

  const succeeded = succeededCount;
  const done = completions !== undefined ? succeeded >= completions : succeeded > 0 && counts.active.length === 0;
  if (done || isTrue(status, 'SuccessCriteriaMet')) {
    const message = 'Reached expected number of succeeded pods';
    setCondition(status, 'SuccessCriteriaMet', 'True', 'CompletionsReached', message, now);
    plan.remove = counts.active;
    if (counts.terminating === 0 && plan.remove.length === 0) {
      setCondition(status, 'Complete', 'True', 'CompletionsReached', message, now);
      status.completionTime = rfc3339(now);
      plan.events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
      if (typeof spec.ttlSecondsAfterFinished === 'number') requeue(spec.ttlSecondsAfterFinished * 1000);
    }
    return finish();
  }

  if (spec.suspend === true) {
    if (!isTrue(status, 'Suspended')) {
      setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      plan.events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    }
    // The deadline starts again on resume.
    delete status.startTime;
    plan.remove = counts.active;
    return finish();
  }
  if (isTrue(status, 'Suspended')) {
    setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    plan.events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
  }
  if (Number.isNaN(startMs)) {
    status.startTime = rfc3339(now);
    if (typeof spec.activeDeadlineSeconds === 'number') requeue(spec.activeDeadlineSeconds * 1000);
  }

  if (indexed) {
    planIndexedPods(plan, counts.active, succeededIndexes, completions ?? 0, parallelism, podBackoffRemainingMs(counts.succeeded, counts.failed, now), requeue);
    return finish();
  }
  const active = counts.active.length;
  // Once any pod succeeded, a Job without completions starts no more pods and lets the running ones finish.
  const want = Math.max(0, completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? active : parallelism);
  if (active > want) plan.remove = [...counts.active].sort(deletionOrder).slice(0, active - want);
  else if (active < want) {
    const wait = podBackoffRemainingMs(counts.succeeded, counts.failed, now);
    if (wait > 0) requeue(wait);
    else plan.create = want - active;
  }
  return finish();
}

/**
 * manageJob for Indexed completion: drop active pods with no valid index,
 * an index already succeeded, or a second pod for one index; start the
 * lowest missing indexes up to `parallelism`, after the pod back-off.
 */
function planIndexedPods(
  plan: JobPlan,
  active: KubeObject[],
  succeeded: Set<number>,
  completions: number,
  parallelism: number,
  backoffMs: number,
  requeue: (ms: number) => void,
): void {
  const running = new Set<number>();
  const keep: KubeObject[] = [];
  for (const pod of [...active].sort(deletionOrder).reverse()) {
    const i = podIndex(pod);
    if (i === undefined || i >= completions || succeeded.has(i) || running.has(i)) plan.remove.push(pod);
    else {
      running.add(i);
      keep.push(pod);
    }
  }
  if (keep.length > parallelism) plan.remove.push(...keep.sort(deletionOrder).slice(0, keep.length - parallelism));
  const room = parallelism - Math.min(keep.length, parallelism);
  if (room <= 0) return;
  const missing: number[] = [];
  for (let i = 0; i < completions && missing.length < room; i++) if (!succeeded.has(i) && !running.has(i)) missing.push(i);
  if (missing.length === 0) return;
  if (backoffMs > 0) {
    requeue(backoffMs);
    return;
  }
  plan.create = missing.length;
  plan.indexes = missing;
}
