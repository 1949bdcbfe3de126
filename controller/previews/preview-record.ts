import type { WebhookProvider } from '../edges/webhooks/webhook-event.js';
import type { PreviewApproval } from './preview-approval.js';

/** An open pull/merge request baton keeps a preview of, as stored in Redis. */
export interface PreviewRecord {
  /** The request's number (GitHub) or iid (GitLab). */
  number: number;
  /** Id of the followed repository (RepositorySpec.id). */
  repository: string;
  provider: WebhookProvider;
  /** `owner/repo` or GitLab's `group/project`, for commit statuses; undefined when the event did not say. */
  repoPath?: string;
  title: string;
  author: string;
  /** Source branch. */
  branch: string;
  /** Where the head commit is fetched from in the base repository (`refs/pull/N/head`). */
  headFetchRef: string;
  /** The commit the preview deploys: the request's head when last deployed; for a label-gated request, the head the label approved. */
  headSha: string;
  /** Set when only the maintainer's label lets the request deploy: the sync then deploys `headSha` and never a newer head of the request. */
  approval?: PreviewApproval;
  /** The request's page on the Git host. */
  requestUrl: string;
  fromFork: boolean;
  labels: string[];
  /** Names of the preview's apps (`pr-N.<app>`), as of the last head read. */
  apps: string[];
  /** ISO 8601: when baton first saw the request open. */
  openedAt: string;
  /** ISO 8601: the last event for the request (the sweeper's idle clock). */
  updatedAt: string;
}
