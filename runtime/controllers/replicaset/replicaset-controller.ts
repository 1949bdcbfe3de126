import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { claimChildren } from '../claim-children.js';
import { podOwnerKeys } from '../pod-owner-keys.js';
import { ObjectCache } from '../object-cache.js';
import { selectorIsEmpty, type LabelSelector } from '../../kube/label-selector.js';
import { isPodActive, isPodTerminal } from '../pod-conditions.js';
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
import { TerminalError } from '../../kube/reconcile/terminal-error.js';
import { deletionOrder } from './pod-deletion-order.js';
import { podFromTemplate } from './pod-from-template.js';
import { calculateReplicaSetStatus } from './replicaset-status.js';
import { slowStartBatch } from './slow-start.js';

const COMPONENT = 'replicaset-controller';

/** What tells a ReplicaSet from a ReplicationController: the rest of the machinery is shared (as Kubernetes' RC manager wraps the RS one). */
export interface ReplicaKind {
  type: ResourceType;
  /** The selector as a metav1.LabelSelector (a ReplicationController's is a plain label map). */
  selectorOf(owner: KubeObject): LabelSelector | undefined;
  /** The event source and field manager. */
  component: string;
  /** Whether status carries terminatingReplicas (ReplicaSets only). */
  countsTerminating: boolean;
}

export const replicaSetKind: ReplicaKind = {
  type: resources.replicasets,
  selectorOf: (rs) => rs.spec?.selector,
  component: COMPONENT,
  countsTerminating: true,
};

export interface ReplicaSetControllerOptions {
  cluster: Cluster;
  /**
   * Most pods created or deleted in one reconcile; the rest follow in the next (Kubernetes' burstReplicas).
   * @defaultValue 500
   */
  burstReplicas?: number;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
  /** @defaultValue 4 */
  concurrency?: number;
  /** @defaultValue replicaSetKind */
  kind?: ReplicaKind;
}

interface Base {
  cluster: Cluster;
  /** @defaultValue replicaSetKind */
  kind?: ReplicaKind;
  burst: number;
  /** Every pod, fed by the pods watch; read without copying, written through on create and delete. */
  pods: ObjectCache;
}

interface Ctx {
  cluster: Cluster;
  kind: ReplicaKind;
  burst: number;
  cache: ObjectCache;
  /** Active pods this RS controls, once claimed. */
  pods?: KubeObject[];
  /** Its pods being deleted but not yet gone: not counted as replicas, reported as terminatingReplicas. */
  terminating?: number;
  manageError?: unknown;
}

/** Keeps spec.replicas pods of each ReplicaSet running from its template. */
export function startReplicaSetController(options: ReplicaSetControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const kind = options.kind ?? replicaSetKind;
  const burst = options.burstReplicas ?? 500;
  const pods = new ObjectCache();
  return startReconciler({
    name: kind.component,
    cluster,
    primary: kind.type,
    logger: options.logger,
    concurrency: options.concurrency,
    // Each reconcile lists every pod concerned; with thousands, let a burst of pod events coalesce.
    spacingFactor: 2,
    reconcile: (key) => reconcileReplicaSet({ cluster, burst, pods, kind }, key),
    watches: [
      {
        type: resources.pods,
        onSync: (items) => pods.replaceAll(items),
        keysFor: (e) => {
          pods.apply(e);
          return podOwnerKeys(cluster, kind.type, e, kind.selectorOf);
        },
      },
    ],
  });
}

export async function reconcileReplicaSet(base: Base, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const kind = base.kind ?? replicaSetKind;
  let rs: KubeObject;
  try {
    rs = await base.cluster.get(kind.type, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  const ctx: Ctx = { cluster: base.cluster, kind, burst: base.burst, cache: base.pods };
  let result: ReconcileResult = done;
  try {
    result = await runSteps(steps, ctx, rs);
  } finally {
    if (ctx.pods) {
      const terminating = kind.countsTerminating ? (ctx.terminating ?? 0) : 0;
      const availableInMs = await writeStatus(ctx, rs, ctx.pods, terminating, ctx.manageError);
      if (availableInMs !== undefined) {
        result = requeueAfter(Math.min(result.requeueAfterMs ?? Infinity, availableInMs));
      }
    }
  }
  return result;
}

const claimPods: Step<Ctx, KubeObject> = async (ctx, rs) => {
  const selector = ctx.kind.selectorOf(rs);
  if (selectorIsEmpty(selector)) throw new TerminalError(`${rs.kind} ${rs.metadata.namespace}/${rs.metadata.name} has an empty selector`);
  // Pods controlled by someone else are never claimed: only ours and the namespace's orphans are candidates.
  const owned = ctx.cache.controlledBy(String(rs.metadata.uid));
  const candidates = [...owned, ...ctx.cache.orphansIn(String(rs.metadata.namespace))].filter(isPodActive);
  ctx.pods = await claimChildren(ctx.cluster, resources.pods, rs, selector!, candidates);
  // Adopted pods come back as new versions; the rest are the cache's own objects.
  const cached = new Set(candidates);
  for (const pod of ctx.pods) if (!cached.has(pod)) ctx.cache.put(pod);
  ctx.terminating = owned.filter((p) => p.metadata.deletionTimestamp && !isPodTerminal(p)).length;
  return next;
};

const manageReplicas: Step<Ctx, KubeObject> = async (ctx, rs) => {
  if (rs.metadata.deletionTimestamp) return stop();
  const pods = ctx.pods!;
  const want = rs.spec?.replicas ?? 1;
  const diff = pods.length - want;
  try {
    if (diff < 0) return await createPods(ctx, rs, Math.min(-diff, ctx.burst), -diff > ctx.burst);
    if (diff > 0) return await deletePods(ctx, rs, [...pods].sort(deletionOrder).slice(0, Math.min(diff, ctx.burst)), diff > ctx.burst);
  } catch (err) {
    ctx.manageError = err;
    throw err;
  }
  return next;
};

const steps = [claimPods, manageReplicas];

async function createPods(ctx: Ctx, rs: KubeObject, count: number, more: boolean) {
  const created: string[] = [];
  const { error } = await slowStartBatch(count, 1, async () => {
    const pod = await createWithFreshName(ctx.cluster, rs);
    ctx.cache.put(pod);
    created.push(String(pod.metadata.name));
    ctx.pods!.push(pod);
  });
  await recordBatch(ctx, rs, 'SuccessfulCreate', 'Created pod', created);
  if (error !== undefined) {
    const msg = error instanceof Error ? error.message : String(error);
    await recordEvent(ctx.cluster, rs, 'Warning', 'FailedCreate', `Error creating: ${msg}`, ctx.kind.component);
    throw Object.assign(error instanceof Error ? error : new Error(msg), { action: 'create' });
  }
  return more ? stop(0) : next;
}

async function createWithFreshName(cluster: Cluster, rs: KubeObject): Promise<KubeObject> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await cluster.create(resources.pods, podFromTemplate(rs, rs.spec?.template));
    } catch (err: any) {
      if (err?.code !== 409 || err?.reason !== 'AlreadyExists' || attempt >= 4) throw err;
    }
  }
}

async function deletePods(ctx: Ctx, rs: KubeObject, victims: KubeObject[], more: boolean) {
  const deleted: string[] = [];
  const results = await Promise.allSettled(
    victims.map(async (pod) => {
      try {
        await ctx.cluster.delete(resources.pods, pod.metadata.namespace, String(pod.metadata.name), {
          preconditions: { uid: pod.metadata.uid },
        });
        ctx.cache.markDeleting(pod);
        deleted.push(String(pod.metadata.name));
      } catch (err: any) {
        if (err?.code !== 404) throw err;
        ctx.cache.remove(pod);
      }
    }),
  );
  const gone = new Set(deleted);
  ctx.pods = ctx.pods!.filter((p) => !gone.has(String(p.metadata.name)));
  await recordBatch(ctx, rs, 'SuccessfulDelete', 'Deleted pod', deleted);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const err = failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    await recordEvent(ctx.cluster, rs, 'Warning', 'FailedDelete', `Error deleting: ${err.message}`, ctx.kind.component);
    throw Object.assign(err, { action: 'delete' });
  }
  return more ? stop(0) : next;
}

/** One event per pod as Kubernetes records them, summarised past a few so a scale to thousands does not flood the store. */
async function recordBatch(ctx: Ctx, rs: KubeObject, reason: string, what: string, names: string[]): Promise<void> {
  const { cluster, kind } = ctx;
  const shown = names.slice(0, 5);
  await Promise.all(shown.map((n) => recordEvent(cluster, rs, 'Normal', reason, `${what}: ${n}`, kind.component)));
  if (names.length > shown.length) {
    await recordEvent(cluster, rs, 'Normal', reason, `${what}s: ${names.length - shown.length} more`, kind.component);
  }
}

/** Writes status when it changed; returns when a ready pod turns available. */
async function writeStatus(
  ctx: Ctx,
  rs: KubeObject,
  pods: KubeObject[],
  terminating: number,
  manageError: unknown,
): Promise<number | undefined> {
  const { status, availableInMs } = calculateReplicaSetStatus(rs, pods, terminating, manageError, new Date());
  if (!semanticEqual(status, rs.status ?? {})) {
    const next = structuredClone(rs);
    next.status = status;
    // The controller owns RS status: last writer wins rather than failing on a concurrent spec change.
    delete next.metadata.resourceVersion;
    try {
      await ctx.cluster.update(ctx.kind.type, next, { status: true, fieldManager: ctx.kind.component });
    } catch (err: any) {
      if (err?.code !== 404) throw err;
    }
  }
  return availableInMs;
}
