/** Which Git host sent a webhook. */
export type WebhookProvider = 'github' | 'gitlab';

/** What happened to a pull/merge request, in GitHub's words (GitLab's are mapped onto them). */
export type PullRequestAction = 'opened' | 'reopened' | 'synchronize' | 'closed' | 'merged' | 'labeled' | 'unlabeled';

/**
 * Labels one event added or removed: GitHub's `labeled`/`unlabeled` (one
 * label), GitLab's `changes.labels` of an `update`, or the difference the
 * pull-request poller saw between two looks (`observed: 'poll'`: it saw the
 * label on, not the moment it was added).
 */
export interface LabelChange {
  added: string[];
  removed: string[];
  observed: 'event' | 'poll';
}

export interface WebhookPullRequest {
  /** GitHub's pull request number; GitLab's merge request `iid` (the number users see). */
  number: number;
  action: PullRequestAction;
  headSha: string;
  /** The source branch name (no `refs/heads/`). */
  headRef: string;
  /** The target branch name (no `refs/heads/`). */
  baseRef: string;
  /**
   * The ref the request's head commit can be fetched from in the base
   * repository, even when it lives in a fork: `refs/pull/N/head` on GitHub,
   * `refs/merge-requests/N/head` on GitLab.
   */
  headFetchRef: string;
  /**
   * The head branch lives in another repository than the base (or that
   * repository was deleted). Its code is not trusted the way a branch of the
   * repository itself is.
   */
  fromFork: boolean;
  /**
   * The author may push to the base repository: GitHub's `author_association`
   * is OWNER, MEMBER or COLLABORATOR; on GitLab (whose merge request payload
   * carries no access level) the request comes from the project itself, which
   * takes the Developer role or above. Read by `previews.require: collaborator`.
   */
  fromCollaborator: boolean;
  labels: string[];
  /** What this event changed of `labels`; undefined when it changed none or does not say. */
  labelChange?: LabelChange;
  /** GitHub login of the author; on GitLab see normalizeGitlabEvent. */
  author: string;
  title: string;
  /** The request's page on the Git host. */
  url: string;
}

/**
 * A verified, de-duplicated webhook delivery reduced to what baton acts on.
 * The receiver builds these; the controller reacts to them (and re-reads
 * the repository: the event only says where to look).
 */
export interface WebhookEvent {
  provider: WebhookProvider;
  /** The provider's delivery id (`X-GitHub-Delivery`, `X-Gitlab-Event-UUID`). */
  delivery: string;
  kind: 'push' | 'tag' | 'pull_request' | 'ping';
  /**
   * Every URL the repository is known by (clone, http, ssh, web), passed
   * through normalizeUrl from controller/source and de-duplicated, so a
   * repository configured by any of them matches. Empty for an organisation-
   * or group-level ping.
   */
  repoUrls: string[];
  /** The repository's path on its host (`owner/repo`, GitLab's `group/project`), for commit statuses. */
  repoPath?: string;
  /** The full ref pushed (`refs/heads/main`, `refs/tags/v1`); push and tag only. */
  ref?: string;
  /** The commit the ref now points to; all zeros when `deleted`. Push and tag only. */
  after?: string;
  /** The push deleted the ref. Push and tag only. */
  deleted?: boolean;
  pullRequest?: WebhookPullRequest;
}
