import { z } from 'zod';
import { COMMIT_ID } from '../../../runtime/kube/revision.js';
import { validatePayload } from './parse-payload.js';
import { repoUrls } from './repo-urls.js';
import type { PullRequestAction, WebhookEvent } from './webhook-event.js';

// Only the fields baton reads are checked; GitHub adds fields freely.
const repository = z.object({
  id: z.number(),
  full_name: z.string().optional(),
  clone_url: z.string(),
  ssh_url: z.string().optional(),
  git_url: z.string().optional(),
  html_url: z.string().optional(),
});

const pushPayload = z.object({
  ref: z.string().min(1),
  after: z.string().regex(COMMIT_ID, 'expected a commit SHA'),
  deleted: z.boolean().optional(),
  repository,
});

const pingPayload = z.object({
  zen: z.string().optional(),
  hook_id: z.number().optional(),
  // Organisation hooks have no repository.
  repository: repository.optional(),
});

const branch = z.object({
  ref: z.string().min(1),
  sha: z.string().regex(COMMIT_ID, 'expected a commit SHA'),
  // null when the fork the request came from was deleted.
  repo: z.object({ id: z.number() }).nullable(),
});

const pullRequestPayload = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    title: z.string(),
    html_url: z.string(),
    merged: z.boolean().nullable().optional(),
    user: z.object({ login: z.string() }),
    author_association: z.string().optional(),
    labels: z.array(z.object({ name: z.string() })),
    head: branch,
    base: branch.extend({ repo: z.object({ id: z.number() }) }),
  }),
  // The label a `labeled` or `unlabeled` event added or removed.
  label: z.object({ name: z.string() }).optional(),
  repository,
});

const actionOnly = z.object({ action: z.string() });

const pullRequestActions: Record<string, PullRequestAction | undefined> = {
  opened: 'opened',
  reopened: 'reopened',
  synchronize: 'synchronize',
  closed: 'closed',
  // A maintainer's label lets a fork's request deploy at the head it was added at; removing it stops new deploys (controller/previews).
  labeled: 'labeled',
  unlabeled: 'unlabeled',
};

/**
 * The WebhookEvent for a verified GitHub delivery, or null when baton does not
 * act on it (another event, or a pull_request action such as `assigned`).
 * Throws WebhookRequestError (400) naming the field when the payload lacks one baton reads.
 */
export function githubEvent(eventName: string, delivery: string, body: unknown): WebhookEvent | null {
  const base = { provider: 'github' as const, delivery };
  switch (eventName) {
    case 'ping': {
      const p = validatePayload(pingPayload, body, 'ping');
      return { ...base, kind: 'ping', repoUrls: p.repository ? urlsOf(p.repository) : [] };
    }
    case 'push': {
      const p = validatePayload(pushPayload, body, 'push');
      return {
        ...base,
        kind: p.ref.startsWith('refs/tags/') ? 'tag' : 'push',
        repoUrls: urlsOf(p.repository),
        ...(p.repository.full_name ? { repoPath: p.repository.full_name } : {}),
        ref: p.ref,
        after: p.after,
        deleted: p.deleted ?? /^0+$/.test(p.after),
      };
    }
    case 'pull_request': {
      const { action } = validatePayload(actionOnly, body, 'pull_request');
      if (!pullRequestActions[action]) return null;
      const p = validatePayload(pullRequestPayload, body, 'pull_request');
      const pr = p.pull_request;
      const closedAs: PullRequestAction = pr.merged ? 'merged' : 'closed';
      const changed = p.label && (action === 'labeled' || action === 'unlabeled') ? p.label.name : undefined;
      return {
        ...base,
        kind: 'pull_request',
        repoUrls: urlsOf(p.repository),
        ...(p.repository.full_name ? { repoPath: p.repository.full_name } : {}),
        pullRequest: {
          number: p.number,
          action: action === 'closed' ? closedAs : pullRequestActions[action]!,
          headSha: pr.head.sha,
          headRef: pr.head.ref,
          baseRef: pr.base.ref,
          headFetchRef: `refs/pull/${p.number}/head`,
          fromFork: pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id,
          fromCollaborator: isCollaborator(pr.author_association),
          labels: pr.labels.map((l) => l.name),
          ...(changed !== undefined ? { labelChange: { added: action === 'labeled' ? [changed] : [], removed: action === 'unlabeled' ? [changed] : [], observed: 'event' as const } } : {}),
          author: pr.user.login,
          title: pr.title,
          url: pr.html_url,
        },
      };
    }
    default:
      return null;
  }
}

/** GitHub's author_association values of people with push rights (the others: CONTRIBUTOR, FIRST_TIMER, NONE…). */
const COLLABORATORS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

export function isCollaborator(authorAssociation: string | undefined): boolean {
  return authorAssociation !== undefined && COLLABORATORS.has(authorAssociation);
}

function urlsOf(repo: z.infer<typeof repository>): string[] {
  return repoUrls([repo.clone_url, repo.ssh_url, repo.git_url, repo.html_url]);
}
