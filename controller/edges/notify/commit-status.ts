/** Where a commit stands with baton: `running` while a sync or rollout is under way. */
export type CommitState = 'pending' | 'running' | 'success' | 'failure';

/** One status to show next to a commit on its pull/merge request. */
export interface CommitStatus {
  provider: 'github' | 'gitlab';
  /**
   * The repository: its path (`owner/repo`, GitLab `group/sub/repo`) or any
   * URL of it (`https://github.com/owner/repo.git`, `git@gitlab.com:group/repo.git`).
   */
  repository: string;
  /** The full commit SHA. */
  sha: string;
  state: CommitState;
  /** The app the status is about; the status is named `baton/<app>`, one per app per commit. */
  app: string;
  /** Where "Details" links: the preview URL or the app's page on the dashboard. */
  targetUrl?: string;
  /** One line shown beside the status; cut to 140 characters (GitHub's limit). */
  description?: string;
  /** GitLab only: the branch or tag, when the SHA is on several. */
  ref?: string;
}

export interface NotifyResult {
  /** `skipped`: no token configured for the provider, nothing was sent. */
  outcome: 'sent' | 'skipped' | 'failed';
  /** HTTP requests made. */
  attempts: number;
  /** The last HTTP status received, if any. */
  status?: number;
  /** Why it failed, for a log line (never contains the token). */
  message?: string;
}
