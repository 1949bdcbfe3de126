import type { AppSpec } from '../apps/app-spec.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import type { AppStatus } from '../state/app-status.js';
import type { AppStatusPatch } from '../state/state-store.js';
import type { DegradedPlan, RenderPlan } from './plan-app.js';

/** What the app controller does with a rendered (or unrenderable) plan of a new commit. */
export interface PlanOutcome {
  /** Status fields to write. @defaultValue nothing is written */
  status?: AppStatusPatch;
  /** Queue a `poll` sync of the commit with this message. @defaultValue no sync */
  sync?: string;
  /** A line worth telling a person. @defaultValue nothing */
  log?: string;
}

/**
 * Decides from the app's recorded status. An app held Unknown by a broken
 * baton.yaml (it had synced before) resumes once the file is fixed: a sync
 * for an automated one (it applies nothing when live already matches), Synced
 * again for a manual one rendering what is recorded live (the drift check then
 * compares the live objects).
 */
export function planOutcome(app: Pick<AppSpec, 'syncPolicy'>, commit: string, plan: RenderPlan | DegradedPlan, status: AppStatus): PlanOutcome {
  const at = shortRevision(commit);
  if (plan.action === 'degraded') {
    const message = `${at} does not render; nothing was applied:\n${plan.errors.join('\n')}`;
    return { status: { syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: commit }, log: message };
  }
  const same = plan.digest === status.manifestDigest;
  if (same && status.syncStatus === 'Synced') return { status: { observedRevision: commit } };
  if (commit === status.lastFailedRevision) return {};
  if (status.pinnedRevision !== undefined) {
    return { status: { syncStatus: 'OutOfSync', observedRevision: commit, message: `pinned to ${shortRevision(status.pinnedRevision)} by a rollback` } };
  }
  const held = status.syncStatus === 'Unknown' && status.revision !== null;
  const resumed = held ? { message: '' } : {};
  if (!app.syncPolicy.automated) return { status: { syncStatus: held && same ? 'Synced' : 'OutOfSync', observedRevision: commit, ...resumed } };
  return {
    status: { syncStatus: 'OutOfSync', observedRevision: commit, ...resumed },
    sync: held ? `baton.yaml fixed at ${at}` : `new commit ${at}`,
    log: held ? `baton.yaml is fixed at ${at}; sync queued` : `${at} changes it; sync queued`,
  };
}
