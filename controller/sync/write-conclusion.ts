import type { SyncPorts } from './ports/sync-ports.js';
import type { Conclusion, SyncContext } from './sync-context.js';

/**
 * The sync's one status write: what the steps concluded, with a history entry
 * (and the healthy manifests) when the sync applied or tried to.
 */
export async function writeConclusion(ctx: SyncContext, { state, clock }: Pick<SyncPorts, 'state' | 'clock'>, conclusion: Conclusion): Promise<void> {
  const { status, history } = conclusion;
  if (!history) {
    if (status) await state.updateApp(ctx.name, status);
    return;
  }
  const finished = clock.now();
  await state.recordSync(ctx.name, {
    entry: {
      revision: ctx.revision,
      digest: ctx.digest ?? '',
      result: history.result,
      startedAt: ctx.startedAt.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - ctx.startedAt.getTime(),
      trigger: ctx.request.trigger,
      message: history.message,
      ...(ctx.pruned?.length ? { pruned: ctx.pruned } : {}),
    },
    status: { ...status, lastSync: finished.toISOString() },
    healthy: history.keepHealthy ? { revision: ctx.revision, digest: ctx.digest, objects: ctx.objects } : undefined,
  });
}
