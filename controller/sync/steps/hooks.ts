import { shortRevision } from '../../../runtime/kube/revision.js';
import type { HookPhase } from '../../../runtime/kube/sync-annotations.js';
import { hooksOf } from '../../apply/sync-waves.js';
import type { SyncPorts } from '../ports/sync-ports.js';
import { conclude, type Step, type SyncContext } from '../sync-context.js';

/**
 * Runs the revision's hooks of `phase` (none: ok). Each hook's end is logged;
 * the result says why the phase failed.
 */
export async function runPhase(ctx: SyncContext, { log }: Pick<SyncPorts, 'log'>, phase: HookPhase): Promise<{ ok: true } | { ok: false; reason: string }> {
  const hooks = hooksOf(ctx.hooks ?? [], phase);
  if (hooks.length === 0) return { ok: true };
  const { name, revision, app } = ctx;
  log(`${shortRevision(revision)}: running ${hooks.length} ${phase} hook${hooks.length === 1 ? '' : 's'}`, { app: name, revision });
  const result = await ctx.cluster.runHooks({
    app: { name, namespace: app.namespace },
    phase,
    hooks,
    revision,
    deadlineSeconds: app.rollout.progressDeadlineSeconds,
    signal: ctx.signal,
    onProgress: (e) => {
      if (e.state !== 'Running') log(`${phase} hook ${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name} ${e.state}`, { app: name, revision, event: 'hook' });
    },
  });
  return result.ok ? { ok: true } : { ok: false, reason: result.reason };
}

/**
 * PreSync hooks run before anything is applied; one that fails ends the sync
 * with nothing else applied (SyncFail hooks then run), and the revision is not
 * retried until a new commit.
 */
export const preSyncHooks: Step = async (ctx, ports) => {
  const pre = await runPhase(ctx, ports, 'PreSync');
  if (pre.ok) return undefined;
  const after = await syncFailHooks(ctx, ports);
  const { revision } = ctx;
  const message = `${shortRevision(revision)} failed before anything was applied: ${pre.reason}${after}`;
  ports.log(message, { app: ctx.name, revision });
  return conclude(
    { result: 'Failed', revision: ctx.status.revision ?? revision, message },
    { status: { syncStatus: 'OutOfSync', message, observedRevision: revision, lastFailedRevision: revision }, history: { result: 'Failed', message } },
  );
};

/** PostSync hooks run once the gate passed; one that fails fails the revision (and it is rolled back). */
export const postSyncHooks: Step = async (ctx, ports) => {
  if (ctx.failure !== undefined || !ctx.gatePassed) return undefined;
  const post = await runPhase(ctx, ports, 'PostSync');
  if (!post.ok) {
    ctx.gatePassed = false;
    ctx.failure = post.reason;
  }
  return undefined;
};

/** SyncFail hooks, for a sync that failed: what they did, as a line to add to its message ('' when all went well). */
export async function syncFailHooks(ctx: SyncContext, ports: Pick<SyncPorts, 'log'>): Promise<string> {
  const result = await runPhase(ctx, ports, 'SyncFail');
  return result.ok ? '' : `\n${result.reason}`;
}
