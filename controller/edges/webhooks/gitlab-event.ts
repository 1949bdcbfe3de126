import { z } from 'zod';
import { COMMIT_ID } from '../../../runtime/kube/revision.js';
import { validatePayload } from './parse-payload.js';
import { repoUrls } from './repo-urls.js';
import type { PullRequestAction, WebhookEvent } from './webhook-event.js';

const sha = z.string().regex(COMMIT_ID, 'expected a commit SHA');

// Only the fields baton reads are checked; GitLab adds fields freely.
const project = z.object({
  id: z.number().optional(),
  path_with_namespace: z.string().optional(),
  git_http_url: z.string(),
  git_ssh_url: z.string().optional(),
  web_url: z.string().optional(),
});

const pushPayload = z.object({
  ref: z.string().min(1),
  after: sha,
  project,
});

const label = z.object({ title: z.string() });

const mergeRequestPayload = z.object({
  user: z.object({ id: z.number().optional(), username: z.string() }),
  project,
  labels: z.array(label).optional(),
  // A label change arrives as an `update` whose `changes.labels` holds the labels before and after.
  changes: z.object({ labels: z.object({ previous: z.array(label), current: z.array(label) }).optional() }).optional(),
  object_attributes: z.object({
    iid: z.number().int().positive(),
    action: z.string().optional(),
    title: z.string(),
    url: z.string(),
    author_id: z.number().optional(),
    source_branch: z.string().min(1),
    target_branch: z.string().min(1),
    source_project_id: z.number(),
    target_project_id: z.number(),
    target: project.optional(),
    last_commit: z.object({ id: sha }),
    labels: z.array(label).optional(),
  }),
});

const actionOnly = z.object({
  object_attributes: z.object({ action: z.string().optional() }),
});

const mergeRequestActions: Record<string, PullRequestAction | undefined> = {
  open: 'opened',
  reopen: 'reopened',
  // GitLab sends `update` for new commits and for edits alike; a re-sync of an unchanged head is cheap.
  update: 'synchronize',
  close: 'closed',
  merge: 'merged',
};

/**
 * The WebhookEvent for a verified GitLab delivery (by its `X-Gitlab-Event`
 * header), or null when baton does not act on it (another hook, or a merge
 * request action such as `approved`). Throws WebhookRequestError (400)
 * naming the field when the payload lacks one baton reads.
 *
 * GitLab's merge request payload carries the author only as `author_id`, so
 * `author` is the acting user's username when they are the author, else
 * `user-id:<author_id>`.
 */
export function gitlabEvent(eventName: string, delivery: string, body: unknown): WebhookEvent | null {
  const base = { provider: 'gitlab' as const, delivery };
  switch (eventName) {
    case 'Push Hook':
    case 'Tag Push Hook': {
      const p = validatePayload(pushPayload, body, eventName);
      return {
        ...base,
        kind: eventName === 'Tag Push Hook' ? 'tag' : 'push',
        repoUrls: urlsOf(p.project),
        ...(p.project.path_with_namespace ? { repoPath: p.project.path_with_namespace } : {}),
        ref: p.ref,
        after: p.after,
        deleted: /^0+$/.test(p.after),
      };
    }
    case 'Merge Request Hook': {
      const action = validatePayload(actionOnly, body, eventName).object_attributes.action;
      const mapped = action ? mergeRequestActions[action] : undefined;
      if (!mapped) return null;
      const p = validatePayload(mergeRequestPayload, body, eventName);
      const mr = p.object_attributes;
      const labels = p.labels ?? mr.labels ?? [];
      const change = p.changes?.labels;
      const before = new Set(change?.previous.map((l) => l.title));
      const after = new Set(change?.current.map((l) => l.title));
      const author =
        mr.author_id === undefined || p.user.id === mr.author_id ? p.user.username : `user-id:${mr.author_id}`;
      return {
        ...base,
        kind: 'pull_request',
        repoUrls: repoUrls([...rawUrls(p.project), ...(mr.target ? rawUrls(mr.target) : [])]),
        ...((mr.target ?? p.project).path_with_namespace ? { repoPath: (mr.target ?? p.project).path_with_namespace } : {}),
        pullRequest: {
          number: mr.iid,
          action: mapped,
          headSha: mr.last_commit.id,
          headRef: mr.source_branch,
          baseRef: mr.target_branch,
          headFetchRef: `refs/merge-requests/${mr.iid}/head`,
          fromFork: mr.source_project_id !== mr.target_project_id,
          // Pushing a branch to the project takes the Developer role (access level 30) or above.
          fromCollaborator: mr.source_project_id === mr.target_project_id,
          labels: labels.map((l) => l.title),
          ...(change ? { labelChange: { added: [...after].filter((l) => !before.has(l)), removed: [...before].filter((l) => !after.has(l)), observed: 'event' as const } } : {}),
          author,
          title: mr.title,
          url: mr.url,
        },
      };
    }
    default:
      return null;
  }
}

function rawUrls(p: z.infer<typeof project>): Array<string | undefined> {
  return [p.git_http_url, p.git_ssh_url, p.web_url];
}

function urlsOf(p: z.infer<typeof project>): string[] {
  return repoUrls(rawUrls(p));
}
