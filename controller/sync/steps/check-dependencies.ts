import type { Step } from '../sync-context.js';

/**
 * An app waits until every app it dependsOn is Healthy: a delayed requeue, no
 * attempt spent. The waiting message is written once, not on every look.
 */
export const checkDependencies: Step = async (ctx, { state, retryMs }) => {
  const waiting: string[] = [];
  for (const dep of ctx.app.dependsOn) {
    const status = await state.getApp(dep);
    if (status && status.health !== 'Healthy') waiting.push(dep);
  }
  if (waiting.length === 0) return undefined;
  const message = `waiting for ${waiting.join(', ')} to be Healthy`;
  const status = ctx.status.message === message ? undefined : { message, observedRevision: ctx.revision };
  return { retryLater: { reason: `${ctx.name}: ${message}`, delayMs: retryMs, ...(status ? { status } : {}) } };
};
