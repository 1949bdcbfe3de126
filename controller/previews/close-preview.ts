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
  // A merged request never reopens: its approval is of no more use. A closed one may reopen, held to it,
  // so its approval is only marked closed; the sweep drops it once the request stayed closed for the TTL.
  for (const repoId of event.repoUrls.flatMap((url) => deps.poller.match(url))) {
    if (pr.action === 'merged') await deps.store.deleteApproval(repoId, pr.number);
    else await markApprovalClosed(deps, repoId, pr.number);
  }
  const removed = await removePreview(deps, pr.number, `request ${pr.action}`);
  return removed ? { action: 'removed', number: pr.number } : { action: 'ignored', number: pr.number, reason: 'no preview was open' };
}

async function markApprovalClosed(deps: Pick<PreviewDeps, 'store'>, repoId: string, number: number): Promise<void> {
  const approval = await deps.store.getApproval(repoId, number);
  if (approval && approval.closedAt === undefined) await deps.store.putApproval(repoId, number, { ...approval, closedAt: new Date().toISOString() });
}
