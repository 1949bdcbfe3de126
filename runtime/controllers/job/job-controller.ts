import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { claimChildren } from '../claim-children.js';
import { writeOwnStatus } from '../write-status.js';
import { podOwnerKeys } from '../pod-owner-keys.js';
import { selectorIsEmpty, type LabelSelector } from '../../kube/label-selector.js';
import { ObjectCache } from '../object-cache.js';
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
import { podFromTemplate } from '../replicaset/pod-from-template.js';
import { TerminalError } from '../../kube/reconcile/terminal-error.js';
import { withCompletionIndex } from './completion-index.js';
import { planJob, type JobPlan } from './job-plan.js';

const COMPONENT = 'job-controller';

export interface JobControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /** @defaultValue 4 */
  concurrency?: number;
  /**
   * The clock for deadlines, back-off and TTLs.
   * @defaultValue `() => Date.now()`
   */
  now?: () => number;
}

interface Ctx {
  cluster: Cluster;
  cache: ObjectCache;
  now: number;
  pods?: KubeObject[];
  plan?: JobPlan;
}

/** Runs Jobs' pods to completion as Kubernetes' job controller (and its TTL-after-finished controller) does. */
export function startJobController(options: JobControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const pods = new ObjectCache();
  const now = options.now ?? (() => Date.now());
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.jobs,
    logger: options.logger,
    concurrency: options.concurrency,
    reconcile: (key) => reconcileJob({ cluster, cache: pods, now: now() }, key),
    watches: [
      {
        type: resources.pods,
        onSync: (items) => pods.replaceAll(items),
        keysFor: (e) => {
          pods.apply(e);
          return podOwnerKeys(cluster, resources.jobs, e);
        },
      },
    ],
  });
}

export async function reconcileJob(ctx: Ctx, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let job: KubeObject;
  try {
    job = await ctx.cluster.get(resources.jobs, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  let result: ReconcileResult = done;
  try {
    result = await runSteps(steps, ctx, job);
  } finally {
    if (ctx.plan && !ctx.plan.expired) await writeStatus(ctx.cluster, job, ctx.plan.status);
  }
  const wait = ctx.plan?.requeueAfterMs;
  return wait === undefined ? result : requeueAfter(Math.min(result.requeueAfterMs ?? Infinity, wait));
}

const claimPods: Step<Ctx, KubeObject> = async (ctx, job) => {
  const selector = job.spec?.selector as LabelSelector | undefined;
  if (selectorIsEmpty(selector)) throw new TerminalError(`Job ${job.metadata.namespace}/${job.metadata.name} has an empty selector`);
  ctx.pods = await claimChildren(ctx.cluster, resources.pods, job, selector!, ctx.cache.list(String(job.metadata.namespace)));
  for (const pod of ctx.pods) ctx.cache.put(pod);
  ctx.plan = planJob(job, ctx.pods, ctx.now);
  return next;
};

/** ttlSecondsAfterFinished: delete the Job; its pods follow by cascade, as the TTL controller's foreground deletion has it. */
const expire: Step<Ctx, KubeObject> = async (ctx, job) => {
  if (!ctx.plan!.expired) return next;
  try {
    await ctx.cluster.delete(resources.jobs, job.metadata.namespace, String(job.metadata.name), {
      propagationPolicy: 'Foreground',
      preconditions: { uid: job.metadata.uid },
    });
  } catch (err: any) {
    if (err?.code !== 404 && err?.code !== 409) throw err;
  }
  return stop();
};

const managePods: Step<Ctx, KubeObject> = async (ctx, job) => {
  const plan = ctx.plan!;
  const deleted: string[] = [];
  await Promise.all(
    plan.remove.map(async (pod) => {
      try {
        await ctx.cluster.delete(resources.pods, pod.metadata.namespace, String(pod.metadata.name), { preconditions: { uid: pod.metadata.uid } });
        ctx.cache.markDeleting(pod);
        deleted.push(String(pod.metadata.name));
      } catch (err: any) {
        if (err?.code !== 404) throw err;
        ctx.cache.remove(pod);
      }
    }),
  );
  for (const n of deleted.slice(0, 5)) await recordEvent(ctx.cluster, job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${n}`, COMPONENT);
  for (let i = 0; i < plan.create; i++) {
    let pod: KubeObject;
    try {
      const index = plan.indexes?.[i];
      const wanted = podFromTemplate(job, job.spec?.template);
      pod = await ctx.cluster.create(resources.pods, index === undefined ? wanted : withCompletionIndex(wanted, String(job.metadata.name), index));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      await recordEvent(ctx.cluster, job, 'Warning', 'FailedCreate', `Error creating: ${msg}`, COMPONENT);
      // Only the pods made so far count as active.
      plan.status.active = Math.max(0, (plan.status.active ?? 0) - (plan.create - i));
      if (plan.status.active === 0) delete plan.status.active;
      throw err;
    }
    ctx.cache.put(pod);
    if (i < 5) await recordEvent(ctx.cluster, job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, COMPONENT);
  }
  for (const e of plan.events) await recordEvent(ctx.cluster, job, e.type, e.reason, e.message, COMPONENT);
  return next;
};

const steps = [claimPods, expire, managePods];

function writeStatus(cluster: Cluster, job: KubeObject, status: Record<string, any>): Promise<void> {
  return writeOwnStatus(cluster, resources.jobs, job, status, COMPONENT);
}
