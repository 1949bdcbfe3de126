import { done, type ReconcileResult } from './reconcile-result.js';

/** The outcome of one step: go on to the next step, or stop here. Either may ask for a later requeue. */
export interface StepResult {
  stop: boolean;
  requeueAfterMs?: number;
}

export const next: StepResult = Object.freeze({ stop: false });

export function stop(requeueAfterMs?: number): StepResult {
  return requeueAfterMs === undefined ? { stop: true } : { stop: true, requeueAfterMs };
}

/** Continue with the next step, but come back after `ms` (e.g. when minReadySeconds will have passed). */
export function nextAndRequeue(ms: number): StepResult {
  return { stop: false, requeueAfterMs: Math.max(0, Math.ceil(ms)) };
}

/** One step of a reconciler. Steps share `ctx` (clients, scratch state) and act on `obj`. */
export type Step<C, O> = (ctx: C, obj: O) => Promise<StepResult>;

/**
 * Runs steps in order, stopping at the first that says stop (or throws).
 * The earliest requeue any step asked for wins.
 */
export async function runSteps<C, O>(steps: ReadonlyArray<Step<C, O>>, ctx: C, obj: O): Promise<ReconcileResult> {
  let requeue: number | undefined;
  for (const step of steps) {
    const r = await step(ctx, obj);
    if (r.requeueAfterMs !== undefined) requeue = requeue === undefined ? r.requeueAfterMs : Math.min(requeue, r.requeueAfterMs);
    if (r.stop) break;
  }
  return requeue === undefined ? done : { requeueAfterMs: requeue };
}
