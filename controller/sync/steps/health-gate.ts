import { shortRevision } from '../../../runtime/kube/revision.js';
import { conclude, type Step } from '../sync-context.js';
import { syncedOrPinned } from './synced-or-pinned.js';

/** Waits for the workloads to roll out within the app's deadline; a failure is left for rollBack. */
export const healthGate: Step = async (ctx) => {
  if (ctx.failure !== undefined) return undefined;
  const { app } = ctx;
  const gate = await ctx.cluster.waitForHealthy({
    objects: ctx.objects,
    namespace: app.namespace,
    deadlineSeconds: app.rollout.progressDeadlineSeconds,
    signal: ctx.signal,
    onProgress: ctx.progress.workload,
  });
  await ctx.progress.flush();
  if (gate.healthy) ctx.gatePassed = true;
  else ctx.failure = gate.reason;
  return undefined;
};

/** A revision that passed the gate (and its PostSync hooks) is recorded healthy and its manifests kept. */
export const recordHealthy: Step = async (ctx, { log }) => {
  if (ctx.failure !== undefined || !ctx.gatePassed) return undefined;
  const { name, revision } = ctx;
  const short = shortRevision(revision);
  log(`${short} is Healthy`, { app: name, revision });
  return conclude(
    { result: 'Succeeded', revision },
    {
      status: { ...syncedOrPinned(ctx), revision, manifestDigest: ctx.digest, health: 'Healthy', lastFailedRevision: undefined },
      history: { result: 'Succeeded', message: `${short} is Healthy`, keepHealthy: true },
    },
  );
};
