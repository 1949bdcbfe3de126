import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject, WatchEvent } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { writeOwnStatus } from '../write-status.js';
import { controllerRefOf, isControlledBy } from '../controller-ref.js';
import { isJobFinished } from '../job/job-plan.js';
import {
  done,
  next,
  requeueAfter,
  runSteps,
  splitKey,
  startReconciler,
  stop,
  type ReconcileResult,
  type ReconcilerLogger,
  type RunningReconciler,
  type Step,
} from '../reconciler.js';
import { jobReference, planCronJob, type CronJobPlan } from './cronjob-plan.js';
import { jobFromTemplate } from './job-from-template.js';

const COMPONENT = 'cronjob-controller';

export interface CronJobControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /** @defaultValue 4 */
  concurrency?: number;
  /**
   * The clock schedules are read against; tests inject one so a `*∕1 * * * *` schedule needs no minutes of waiting.
   * @defaultValue `() => new Date()`
   */
  now?: () => Date;
}

export interface CronJobCtx {
  cluster: Cluster;
  now: Date;
  jobs?: KubeObject[];
  plan?: CronJobPlan;
}

/** Starts Jobs on CronJobs' schedules as Kubernetes' cronjob controller (v2) does. */
export function startCronJobController(options: CronJobControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const now = options.now ?? (() => new Date());
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.cronjobs,
    logger: options.logger,
    concurrency: options.concurrency,
    reconcile: (key) => reconcileCronJob({ cluster, now: now() }, key),
    watches: [{ type: resources.jobs, keysFor: jobKeys }],
  });
}

function jobKeys(e: WatchEvent): string[] {
  const ref = controllerRefOf(e.object);
  return ref?.kind === 'CronJob' ? [`${e.object.metadata.namespace}/${ref.name}`] : [];
}

export async function reconcileCronJob(ctx: CronJobCtx, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let cj: KubeObject;
  try {
    cj = await ctx.cluster.get(resources.cronjobs, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  let result: ReconcileResult = done;
  try {
    result = await runSteps(steps, ctx, cj);
  } finally {
    if (ctx.plan) await writeStatus(ctx.cluster, cj, ctx.plan.status);
  }
  const wait = ctx.plan?.requeueAfterMs;
  return wait === undefined ? result : requeueAfter(Math.min(result.requeueAfterMs ?? Infinity, wait));
}

const plan: Step<CronJobCtx, KubeObject> = async (ctx, cj) => {
  const listed = await ctx.cluster.list(resources.jobs, { namespace: cj.metadata.namespace });
  ctx.jobs = listed.items.filter((j) => isControlledBy(j, cj));
  try {
    ctx.plan = planCronJob(cj, ctx.jobs, ctx.now);
  } catch (err) {
    // Validation let the schedule in; only a later change of the cron library could get here. Waiting will not fix it.
    await recordEvent(ctx.cluster, cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${cj.spec?.schedule}: ${err instanceof Error ? err.message : err}`, COMPONENT);
    return stop();
  }
  for (const e of ctx.plan.events) await recordEvent(ctx.cluster, cj, e.type, e.reason, e.message, COMPONENT);
  return next;
};

const removeJobs: Step<CronJobCtx, KubeObject> = async (ctx, cj) => {
  for (const job of ctx.plan!.remove) {
    try {
      await ctx.cluster.delete(resources.jobs, job.metadata.namespace, String(job.metadata.name), { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
      await recordEvent(ctx.cluster, cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`, COMPONENT);
    } catch (err: any) {
      if (err?.code !== 404 && err?.code !== 409) throw err;
    }
  }
  return next;
};

const startJob: Step<CronJobCtx, KubeObject> = async (ctx, cj) => {
  const { startAt, status } = ctx.plan!;
  if (!startAt || cj.metadata.deletionTimestamp) return next;
  const wanted = jobFromTemplate(cj, startAt);
  let job: KubeObject;
  try {
    job = await ctx.cluster.create(resources.jobs, wanted);
    await recordEvent(ctx.cluster, cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`, COMPONENT);
  } catch (err: any) {
    if (err?.code !== 409) {
      await recordEvent(ctx.cluster, cj, 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : err}`, COMPONENT);
      throw err;
    }
    // Made by an earlier pass whose status write was lost: take it as ours if it is.
    job = await ctx.cluster.get(resources.jobs, cj.metadata.namespace, String(wanted.metadata.name));
    if (!isControlledBy(job, cj)) return next;
  }
  if (!isJobFinished(job) && !(status.active ?? []).some((r: { uid: string }) => r.uid === job.metadata.uid)) {
    status.active = [...(status.active ?? []), jobReference(job)];
  }
  status.lastScheduleTime = startAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return next;
};

const steps = [plan, removeJobs, startJob];

function writeStatus(cluster: Cluster, cj: KubeObject, status: Record<string, any>): Promise<void> {
  return writeOwnStatus(cluster, resources.cronjobs, cj, status, COMPONENT);
}
