import type { WebhookEvent, WebhookPullRequest } from '../edges/webhooks/webhook-event.js';
import { ignoredDecision, type PreviewDecision } from './preview-decision.js';
import type { PreviewDeps } from './preview-deps.js';
import { removePreview } from './remove-preview.js';

/** A request closed or merged: its preview is removed, when it is this repository's request. */
export async function closePreview(deps: PreviewDeps, event: WebhookEvent, pr: WebhookPullRequest): Promise<PreviewDecision> {
  // Numbers are per repository: another repository's request #N closing (an organisation's hook sends them all) is not this one's.
  const record = await deps.store.get(pr.number);
  if (record && !event.repoUrls.some((url) => deps.poller.match(url).includes(record.repository))) {
    return ignoredDecision(deps.log, pr.number, `a request #${pr.number} of ${event.repoUrls[0] ?? 'another repository'} was ${pr.action}; the preview of ${record.repository}'s #${pr.number} stays`);
  }
  // A merged request never reopens: its approval is of no more use. A closed one may reopen, held to it.
  if (pr.action === 'merged') for (const repoId of event.repoUrls.flatMap((url) => deps.poller.match(url))) await deps.store.deleteApproval(repoId, pr.number);
  const removed = await removePreview(deps, pr.number, `request ${pr.action}`);
  return removed ? { action: 'removed', number: pr.number } : { action: 'ignored', number: pr.number, reason: 'no preview was open' };
}
