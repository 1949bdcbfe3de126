import { droppedMessage } from '../plan/dropped-message.js';
import type { SyncPorts } from './ports/sync-ports.js';
import type { Conclusion, SyncContext } from './sync-context.js';

/**
 * The sync's one status write: what the steps concluded, with a history entry
 * (and the healthy manifests) when the sync applied or tried to. What a
 * preview left out of `pr-N` is said under the status' and the entry's message.
 */
export async function writeConclusion(ctx: SyncContext, { state, clock }: Pick<SyncPorts, 'state' | 'clock'>, conclusion: Conclusion): Promise<void> {
  const { status, history } = withDropped(conclusion, droppedMessage(ctx.dropped ?? []));
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

/** The conclusion with `note` on its own lines under the messages it writes (a status patch without a message keeps the one standing). */
function withDropped(conclusion: Conclusion, note: string): Conclusion {
  if (!note) return conclusion;
  const under = (message: string) => (message ? `${message}\n${note}` : note);
  const { status, history } = conclusion;
  return {
    ...conclusion,
    ...(status && status.message !== undefined ? { status: { ...status, message: under(status.message) } } : {}),
    ...(history ? { history: { ...history, message: under(history.message) } } : {}),
  };
}
