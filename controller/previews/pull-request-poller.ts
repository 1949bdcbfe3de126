import { z } from 'zod';
import { startReconcileLoop, type ReconcileLoop } from '../../runtime/kube/reconcile/reconcile-loop.js';
import { requeueAfter } from '../../runtime/kube/reconcile/reconcile-result.js';
import { isCollaborator } from '../edges/webhooks/github-event.js';
import type { LabelChange, WebhookEvent, WebhookProvider, WebhookPullRequest } from '../edges/webhooks/webhook-event.js';
import type { PreviewController } from './preview-controller.js';

export interface PullRequestPollerOptions {
  provider: WebhookProvider;
  /** `owner/repo` (GitLab: `group/project`). */
  repoPath: string;
  /** The followed repository's URL, as the previews match it. */
  repoUrl: string;
  /** The followed repository's id (RepositorySpec.id): only its previews are closed by this poller. */
  repository: string;
  /** API token (`BATON_GITHUB_TOKEN` / `BATON_GITLAB_TOKEN`). */
  token: string;
  /** @defaultValue 'https://api.github.com' or 'https://gitlab.com/api/v4' */
  apiUrl?: string;
  /** @defaultValue 30000 */
  intervalMs?: number;
  previews: Pick<PreviewController, 'handle' | 'list'>;
  /** @defaultValue nothing is logged */
  log?: (line: string) => void;
}

const githubPull = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  html_url: z.string(),
  user: z.object({ login: z.string() }).nullable(),
  author_association: z.string().optional(),
  labels: z.array(z.object({ name: z.string() })),
  head: z.object({ ref: z.string(), sha: z.string(), repo: z.object({ id: z.number() }).nullable() }),
  base: z.object({ ref: z.string(), repo: z.object({ id: z.number() }) }),
});

const gitlabMergeRequest = z.object({
  iid: z.number().int().positive(),
  title: z.string(),
  web_url: z.string(),
  author: z.object({ username: z.string() }).nullable(),
  labels: z.array(z.string()),
  sha: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
  source_project_id: z.number(),
  target_project_id: z.number(),
});

/**
 * Open pull/merge requests found by asking the provider's API every
 * interval, for repositories whose webhooks cannot reach baton: a request
 * not seen before (or with a new head or labels) is handed to the previews
 * as opened/synchronize (with the labels it saw come or go), and a previewed
 * request no longer open as closed.
 * Webhooks and this poller may run together; the previews coalesce.
 */
export class PullRequestPoller {
  private loop: ReconcileLoop | undefined;
  private closed = false;
  /** What was last handed over per request (head and labels), so an unchanged request costs nothing. */
  private readonly seen = new Map<number, { headSha: string; labels: string[] }>();
  private readonly log: (line: string) => void;
  private readonly apiUrl: string;

  constructor(private readonly options: PullRequestPollerOptions) {
    this.log = options.log ?? (() => undefined);
    this.apiUrl = (options.apiUrl ?? (options.provider === 'github' ? 'https://api.github.com' : 'https://gitlab.com/api/v4')).replace(/\/+$/, '');
  }

  /** Polls at once, then `intervalMs` after each poll ends; a failed poll is logged and tried again at the next interval. */
  start(): void {
    if (this.closed || this.loop) return;
    const every = this.options.intervalMs ?? 30_000;
    this.loop = startReconcileLoop({
      name: 'pull-request-poller',
      concurrency: 1,
      latestRequeueWins: true,
      reconcile: async () => {
        await this.pollOnce().catch((err: unknown) => this.log(`pull requests of ${this.options.repoPath}: ${(err as Error).message}`));
        return requeueAfter(every);
      },
    });
    // One key: the repository's open requests.
    this.loop.enqueue(this.options.repoPath);
  }

  /** Stops polling; waits for a poll in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop?.stop();
  }

  /** One look at the open requests; resolves once the previews have handled what changed. */
  async pollOnce(): Promise<void> {
    const open = await this.fetchOpen();
    const numbers = new Set(open.map((pr) => pr.number));
    for (const pr of open) {
      const before = this.seen.get(pr.number);
      if (before?.headSha === pr.headSha && before.labels.join(',') === pr.labels.join(',')) continue;
      const action = before ? 'synchronize' : 'opened';
      this.seen.set(pr.number, { headSha: pr.headSha, labels: pr.labels });
      // A label it saw come or go is handed over as such: a maintainer's label approves the head seen with it (controller/previews/preview-approval.ts).
      const labelChange = before && labelDifference(before.labels, pr.labels);
      const decision = await this.options.previews.handle(this.event({ ...pr, action, ...(labelChange ? { labelChange } : {}) }));
      // Not handled for a passing reason (repository not read yet, cluster down): ask again next time.
      if (decision?.action === 'ignored' && decision.retry) this.seen.delete(pr.number);
    }
    for (const record of await this.options.previews.list()) {
      if (numbers.has(record.number) || record.repository !== this.options.repository) continue;
      this.seen.delete(record.number);
      await this.options.previews.handle(
        this.event({
          number: record.number,
          action: 'closed',
          headSha: record.headSha,
          headRef: record.branch,
          baseRef: '',
          headFetchRef: record.headFetchRef,
          fromFork: record.fromFork,
          fromCollaborator: false,
          labels: record.labels,
          author: record.author,
          title: record.title,
          url: record.requestUrl,
        }),
      );
    }
    for (const number of [...this.seen.keys()]) if (!numbers.has(number)) this.seen.delete(number);
  }

  private event(pullRequest: WebhookPullRequest): WebhookEvent {
    return {
      provider: this.options.provider,
      delivery: `poll-${pullRequest.number}-${pullRequest.headSha}-${pullRequest.action}`,
      kind: 'pull_request',
      repoUrls: [this.options.repoUrl],
      repoPath: this.options.repoPath,
      pullRequest,
    };
  }

  private async fetchOpen(): Promise<Array<Omit<WebhookPullRequest, 'action'>>> {
    const { provider, repoPath, token } = this.options;
    const github = provider === 'github';
    const url = github
      ? `${this.apiUrl}/repos/${repoPath.split('/').map(encodeURIComponent).join('/')}/pulls?state=open&per_page=100`
      : `${this.apiUrl}/projects/${encodeURIComponent(repoPath)}/merge_requests?state=opened&per_page=100`;
    const headers: Record<string, string> = github
      ? { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'baton' }
      : { 'private-token': token, 'user-agent': 'baton' };
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${new URL(url).pathname} answered ${res.status}: ${text.slice(0, 200)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`GET ${new URL(url).pathname} answered with a body that is not JSON`);
    }
    if (github) {
      const parsed = z.array(githubPull).safeParse(body);
      if (!parsed.success) throw new Error(`unexpected answer from GitHub: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      return parsed.data.map((p) => ({
        number: p.number,
        headSha: p.head.sha,
        headRef: p.head.ref,
        baseRef: p.base.ref,
        headFetchRef: `refs/pull/${p.number}/head`,
        fromFork: p.head.repo === null || p.head.repo.id !== p.base.repo.id,
        fromCollaborator: isCollaborator(p.author_association),
        labels: p.labels.map((l) => l.name),
        author: p.user?.login ?? '',
        title: p.title,
        url: p.html_url,
      }));
    }
    const parsed = z.array(gitlabMergeRequest).safeParse(body);
    if (!parsed.success) throw new Error(`unexpected answer from GitLab: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    return parsed.data.map((m) => ({
      number: m.iid,
      headSha: m.sha,
      headRef: m.source_branch,
      baseRef: m.target_branch,
      headFetchRef: `refs/merge-requests/${m.iid}/head`,
      fromFork: m.source_project_id !== m.target_project_id,
      fromCollaborator: m.source_project_id === m.target_project_id,
      labels: m.labels,
      author: m.author?.username ?? '',
      title: m.title,
      url: m.web_url,
    }));
  }
}

/** The labels added and removed between two looks; undefined when none changed. */
function labelDifference(before: readonly string[], after: readonly string[]): LabelChange | undefined {
  const added = after.filter((l) => !before.includes(l));
  const removed = before.filter((l) => !after.includes(l));
  return added.length + removed.length > 0 ? { added, removed, observed: 'poll' } : undefined;
}
