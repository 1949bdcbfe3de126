import { setTimeout as sleep } from 'node:timers/promises';
import { isCommitId } from '../../../runtime/kube/revision.js';
import type { CommitState, CommitStatus, NotifyResult } from './commit-status.js';
import { NotifyError } from './notify-error.js';
import { repositoryPath } from './repository-path.js';
import { retryDelay } from './retry-delay.js';

export interface CommitStatusNotifierOptions {
  /** Token for GitHub's commit status API (`BATON_GITHUB_TOKEN`); without it GitHub statuses are skipped. @defaultValue undefined */
  githubToken?: string;
  /** Token for GitLab's commit status API (`BATON_GITLAB_TOKEN`); without it GitLab statuses are skipped. @defaultValue undefined */
  gitlabToken?: string;
  /** GitHub's REST API root (GitHub Enterprise: `https://HOST/api/v3`). @defaultValue 'https://api.github.com' */
  githubApiUrl?: string;
  /** GitLab's REST API root (self-managed: `https://HOST/api/v4`). @defaultValue 'https://gitlab.com/api/v4' */
  gitlabApiUrl?: string;
  /** Retries after the first attempt, on 5xx, 429 and network errors only. @defaultValue 3 */
  retries?: number;
  /** First back-off ceiling; it doubles per retry, with full jitter. @defaultValue 500 */
  retryBaseMs?: number;
  /** @defaultValue 10000 */
  retryMaxMs?: number;
  /** Per-request timeout. @defaultValue 10000 */
  timeoutMs?: number;
  /** Told about each failed status (never given the token). @defaultValue no logging */
  logger?: { warn(obj: object, msg: string): void };
}

interface StatusRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, string>;
}

const githubStates: Record<CommitState, string> = { pending: 'pending', running: 'pending', success: 'success', failure: 'failure' };
const gitlabStates: Record<CommitState, string> = { pending: 'pending', running: 'running', success: 'success', failure: 'failed' };

/**
 * Posts baton's verdict on a commit to GitHub or GitLab, so it shows on the
 * pull/merge request with a link to the preview. A status is a courtesy, not
 * part of a sync: failures are retried, then reported in the result and
 * logged, never thrown (only a malformed status throws NotifyError).
 */
export class CommitStatusNotifier {
  private readonly options: Required<Omit<CommitStatusNotifierOptions, 'githubToken' | 'gitlabToken' | 'logger'>>;

  constructor(private readonly config: CommitStatusNotifierOptions = {}) {
    this.options = {
      githubApiUrl: (config.githubApiUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
      gitlabApiUrl: (config.gitlabApiUrl ?? 'https://gitlab.com/api/v4').replace(/\/+$/, ''),
      retries: config.retries ?? 3,
      retryBaseMs: config.retryBaseMs ?? 500,
      retryMaxMs: config.retryMaxMs ?? 10_000,
      timeoutMs: config.timeoutMs ?? 10_000,
    };
  }

  /** A notifier configured from `BATON_GITHUB_TOKEN`, `BATON_GITLAB_TOKEN`, `BATON_GITHUB_API_URL`, `BATON_GITLAB_API_URL`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: CommitStatusNotifierOptions = {}): CommitStatusNotifier {
    return new CommitStatusNotifier({
      githubToken: env.BATON_GITHUB_TOKEN || undefined,
      gitlabToken: env.BATON_GITLAB_TOKEN || undefined,
      githubApiUrl: env.BATON_GITHUB_API_URL || undefined,
      gitlabApiUrl: env.BATON_GITLAB_API_URL || undefined,
      ...options,
    });
  }

  /** True when a token is configured for the provider, i.e. notify would send something. */
  enabled(provider: CommitStatus['provider']): boolean {
    return Boolean(provider === 'github' ? this.config.githubToken : this.config.gitlabToken);
  }

  async notify(status: CommitStatus): Promise<NotifyResult> {
    if (!isCommitId(status.sha.toLowerCase())) {
      throw new NotifyError('INVALID_STATUS', `sha "${status.sha}" is not a full commit SHA`, { field: 'sha' });
    }
    if (!status.app) throw new NotifyError('INVALID_STATUS', 'app is empty', { field: 'app' });
    const path = repositoryPath(status.repository);
    if (!this.enabled(status.provider)) return { outcome: 'skipped', attempts: 0 };
    const request = status.provider === 'github' ? this.githubRequest(path, status) : this.gitlabRequest(path, status);
    const result = await this.send(request);
    if (result.outcome === 'failed') {
      this.config.logger?.warn(
        { provider: status.provider, repository: path, sha: status.sha, app: status.app, status: result.status, attempts: result.attempts },
        `commit status not sent: ${result.message}`,
      );
    }
    return result;
  }

  private githubRequest(path: string, s: CommitStatus): StatusRequest {
    return {
      url: `${this.options.githubApiUrl}/repos/${path.split('/').map(encodeURIComponent).join('/')}/statuses/${s.sha}`,
      headers: {
        authorization: `Bearer ${this.config.githubToken}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      },
      body: {
        state: githubStates[s.state],
        context: `baton/${s.app}`,
        ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
        ...(s.description ? { description: clip(s.description) } : {}),
      },
    };
  }

  private gitlabRequest(path: string, s: CommitStatus): StatusRequest {
    return {
      // GitLab takes a project by id or by its URL-encoded full path.
      url: `${this.options.gitlabApiUrl}/projects/${encodeURIComponent(path)}/statuses/${s.sha}`,
      headers: { 'private-token': this.config.gitlabToken! },
      body: {
        state: gitlabStates[s.state],
        name: `baton/${s.app}`,
        ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
        ...(s.description ? { description: clip(s.description) } : {}),
        ...(s.ref ? { ref: s.ref } : {}),
      },
    };
  }

  private async send(request: StatusRequest): Promise<NotifyResult> {
    const { retries, retryBaseMs, retryMaxMs, timeoutMs } = this.options;
    let last: NotifyResult = { outcome: 'failed', attempts: 0 };
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(retryDelay(attempt - 1, retryBaseMs, retryMaxMs));
      let response: Response;
      try {
        response = await fetch(request.url, {
          method: 'POST',
          headers: { ...request.headers, 'content-type': 'application/json', 'user-agent': 'baton' },
          body: JSON.stringify(request.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        last = { outcome: 'failed', attempts: attempt + 1, message: `POST ${new URL(request.url).pathname}: ${errorMessage(err)}` };
        continue;
      }
      const text = await response.text().catch(() => '');
      if (response.ok) return { outcome: 'sent', attempts: attempt + 1, status: response.status };
      last = {
        outcome: 'failed',
        attempts: attempt + 1,
        status: response.status,
        message: `POST ${new URL(request.url).pathname} answered ${response.status}: ${text.slice(0, 300)}`,
      };
      // A 4xx (bad token, unknown commit, invalid state) will not change by retrying; 429 will.
      if (response.status < 500 && response.status !== 429) break;
    }
    return last;
  }
}

function clip(description: string): string {
  return description.length <= 140 ? description : `${description.slice(0, 139)}…`;
}

function errorMessage(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
