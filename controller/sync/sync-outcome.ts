import type { SyncOutcome } from '../queue/sync-job.js';

/** A step's verdict: stop here with this outcome, or go on to the next step. */
export type StepResult = { done: SyncOutcome } | undefined;

export const done = (result: SyncOutcome['result'], revision: string, message?: string): StepResult => ({
  done: message === undefined ? { result, revision } : { result, revision, message },
});
