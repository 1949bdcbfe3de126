import { shortRevision } from '../../runtime/kube/revision.js';
import type { WebhookPullRequest } from '../edges/webhooks/webhook-event.js';

/**
 * A maintainer's label, bound to the head commit it was given for: a request
 * that deploys only because of the label deploys that commit and no later
 * one, until the label is removed and added again.
 */
export interface PreviewApproval {
  /** The label that let the request through (`previews.forkLabel`). */
  label: string;
  /** The head commit the label approved. */
  sha: string;
  /**
   * `labeled`: the head named by the event that added the label (GitHub's
   * `labeled`, GitLab's label-changing `update`). `seen`: baton found the label
   * already on (first sight of the request, or the poller saw it appear) and
   * took the head it saw then.
   */
  how: 'labeled' | 'seen';
  /** ISO 8601: when baton recorded it. */
  at: string;
}

export interface BoundApproval {
  approval: PreviewApproval;
  /** The approval is new: store it. */
  fresh: boolean;
  /** Why the event's head is not deployed; undefined when it is the approved head. */
  held?: string;
}

/**
 * Which head a label-gated request may deploy, given the approval on record
 * (only one for this label counts) and the head its preview runs, if any.
 *
 * - An event that added the label approves its own head; nothing else replaces
 *   an approval, so the author's later pushes are held.
 * - With no approval (baton first sees the request already labelled, or the
 *   poller saw the label appear), the approved head is the one the preview
 *   already runs, else the head seen now (the poller's: the head it sees).
 */
export function bindApproval(
  label: string,
  pr: Pick<WebhookPullRequest, 'headSha' | 'labelChange'>,
  recorded: PreviewApproval | undefined,
  running: string | undefined,
  now: string,
): BoundApproval {
  const added = pr.labelChange?.added.includes(label) ?? false;
  let bound: BoundApproval;
  if (added && pr.labelChange?.observed === 'event') bound = { approval: { label, sha: pr.headSha, how: 'labeled', at: now }, fresh: true };
  else if (recorded?.label === label) bound = { approval: recorded, fresh: false };
  else bound = { approval: { label, sha: (added ? undefined : running) ?? pr.headSha, how: 'seen', at: now }, fresh: true };
  const { sha } = bound.approval;
  if (pr.headSha === sha) return bound;
  const held = `new commits since the label "${label}" was added at ${shortRevision(sha)}: not deployed until a maintainer adds the label again (remove it and add it)`;
  return { ...bound, held };
}
