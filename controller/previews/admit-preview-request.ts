import { DEFAULT_PREVIEW_SETTINGS } from '../apps/preview-settings.js';
import { readAppConfig, type AppConfig } from '../apps/read-app-config.js';
import type { WebhookEvent, WebhookPullRequest } from '../edges/webhooks/webhook-event.js';
import type { RepositorySource } from '../source/repository.js';
import { SourceError } from '../source/source-error.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import { bindApproval, type PreviewApproval } from './preview-approval.js';
import { ignoredDecision, type PreviewDecision } from './preview-decision.js';
import type { PreviewDeps } from './preview-deps.js';
import { previewGate } from './preview-gate.js';
import type { PreviewRecord } from './preview-record.js';

/** A request let through: which commit of which repository its preview deploys. */
export interface AdmittedRequest {
  repoId: string;
  source: RepositorySource;
  /** baton.yaml on the followed branch: what an app's preview may reach. */
  followed: AppConfig;
  /** The preview already open for the request's number. */
  known: PreviewRecord | undefined;
  /** The commit to deploy: the request's head, or for a label-gated request the head the label approved. */
  head: string;
  /** Set when only the label lets the request through. */
  approval: PreviewApproval | undefined;
}

/**
 * Whether a request's event deploys anything, and which commit: the followed
 * repository, the gate of the followed branch's `previews:`, the label's
 * approval (preview-approval.ts), and the request's ref, which must exist.
 * Returns the decision when nothing is deployed.
 */
export async function admitPreviewRequest(deps: PreviewDeps, event: WebhookEvent, pr: WebhookPullRequest): Promise<AdmittedRequest | { ignored: PreviewDecision }> {
  const ignored = (reason: string, retry = false) => ({ ignored: ignoredDecision(deps.log, pr.number, reason, retry) });
  const repoId = event.repoUrls.flatMap((url) => deps.poller.match(url))[0];
  if (!repoId) return ignored(`no followed repository is ${event.repoUrls[0] ?? 'named by the event'}`);
  const source = deps.poller.repository(repoId);
  const registered = await deps.registry.repository(repoId);
  if (!source || !registered?.revision) return ignored('its repository has not been read yet', true);
  const known = await deps.store.get(pr.number);

  // The followed branch's baton.yaml, never the head's, says which requests deploy and what an app's preview may reach.
  const followed = await readAppConfig(source.tree(registered.revision), repoId);
  const settings = followed.ok ? followed.previews : DEFAULT_PREVIEW_SETTINGS;
  // A label seen gone revokes its approval: only adding it again approves a head.
  const recorded = await deps.store.getApproval(repoId, pr.number);
  if (recorded && !pr.labels.includes(recorded.label)) await deps.store.deleteApproval(repoId, pr.number);
  const gate = previewGate(settings, pr);
  // The preview that runs keeps running; nothing new of the request is deployed.
  if (!gate.deploy) return ignored(known ? `${gate.reason}; the preview keeps running ${shortRevision(known.headSha)}` : gate.reason);
  const labelEvent = pr.action === 'labeled' || pr.action === 'unlabeled';
  const approves = gate.byLabel && (pr.labelChange?.added.includes(settings.forkLabel) ?? false);
  // A label event for a request baton does not preview matters only for the gate (forks, previews.require).
  if (labelEvent && known && !approves) return ignored('already previewed; a label changes nothing');

  const bound = gate.byLabel ? bindApproval(settings.forkLabel, pr, recorded, known?.headSha, new Date().toISOString()) : undefined;
  if (bound?.held) {
    // Held and new only when bound to the head a preview already runs: the request exists.
    if (bound.fresh) await deps.store.putApproval(repoId, pr.number, bound.approval);
    return ignored(known ? `${bound.held}; the preview keeps running ${shortRevision(known.headSha)}` : bound.held);
  }
  const approval = bound?.approval;

  // The request must exist where the provider keeps it: a made-up number names no ref, and makes nothing.
  let head: string;
  try {
    head = await source.resolveRef(pr.headFetchRef);
  } catch (err) {
    if (err instanceof SourceError && (err.code === 'REF_NOT_FOUND' || err.code === 'INVALID_SPEC')) {
      return ignored(`${pr.headFetchRef} does not exist in ${source.url}: there is no such request; no preview was made`);
    }
    throw err;
  }
  if (bound?.fresh) await deps.store.putApproval(repoId, pr.number, bound.approval);
  // A label-gated request deploys the approved head, even when the request has moved on since.
  if (approval && head !== approval.sha) {
    try {
      head = await source.resolveRef(approval.sha);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      return ignored(`the head the label "${approval.label}" approved, ${shortRevision(approval.sha)}, is not in ${source.url} (${err.message}): not deployed until a maintainer adds the label again`);
    }
  }
  return { repoId, source, followed, known, head, approval };
}
