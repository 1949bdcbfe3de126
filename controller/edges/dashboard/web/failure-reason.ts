import type { AppDetail, RevisionHistoryEntry } from '../../api/contract.js';
import { shortSha } from './format.js';

export interface FailureReason {
  /** True while the app is failing now; false for the last failure of an app that has recovered. */
  current: boolean;
  /** One sentence, in plain words. */
  headline: string;
  /** The controller's own account (file:line, probe, exit code, last log lines). */
  detail: string;
  /** ISO 8601, when known. */
  at: string | null;
}

/** Why the app failed last, as a person would say it, from its status message and its history. */
export function failureReason(app: AppDetail, history: RevisionHistoryEntry[]): FailureReason | null {
  const failingNow = app.health === 'Degraded' || (app.syncStatus === 'Unknown' && app.message !== '' && !/^waiting for /.test(app.message));
  if (failingNow && app.message) {
    const entry = history.find((h) => h.result !== 'Succeeded' && app.message.includes(h.message.split('\n', 1)[0]));
    return { current: true, headline: headline(app.message, app.lastFailedRevision ?? app.observedRevision), detail: app.message, at: entry?.finishedAt ?? null };
  }
  const last = history.find((h) => h.result !== 'Succeeded');
  if (!last) return null;
  return { current: false, headline: headline(last.message, last.revision, last.result), detail: last.message, at: last.finishedAt };
}

function headline(message: string, revision: string | null, result?: RevisionHistoryEntry['result']): string {
  const rev = revision ? `Revision ${shortSha(revision)}` : 'The new revision';
  if (/has errors/.test(message) && /baton\.yaml/.test(message)) return 'baton.yaml has errors, so none of its apps sync until it is fixed.';
  if (/does not render|nothing was applied/.test(message)) return `${rev} could not be rendered, so nothing was applied. Fix the file named below and commit again.`;
  if (/was rolled back to (\w+)/.test(message) || result === 'RolledBack') {
    const to = /was rolled back to (\w+)/.exec(message)?.[1];
    return `${rev} did not become healthy, so baton rolled it back${to ? ` to ${to}` : ''}. The pods' own account is below.`;
  }
  if (/cannot sync to cluster/.test(message)) return 'The destination cluster could not be reached, so nothing was applied.';
  if (/pinned to/.test(message)) return 'The app is pinned by a rollback; press Sync to follow the branch again.';
  return `${rev} failed to sync.`;
}
