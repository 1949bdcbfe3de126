import type { SyncOutcome } from '../queue/sync-job.js';

/** A step's verdict: stop here with this outcome, or go on to the next step. */
export type StepResult = { done: SyncOutcome } | undefined;

export const done = (result: SyncOutcome['result'], revision: string, message?: string): StepResult => ({
  done: message === undefined ? { result, revision } : { result, revision, message },
});

/** A commit id as people read it. */
export function shortRevision(revision: string | null | undefined): string {
  if (!revision) return '(none)';
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision;
}
