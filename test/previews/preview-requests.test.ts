import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreviewController } from '../../controller/previews/preview-controller.js';
import type { PreviewRecord } from '../../controller/previews/preview-record.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { githubEvent } from '../../controller/edges/webhooks/github-event.js';
import { gitlabEvent } from '../../controller/edges/webhooks/gitlab-event.js';
import type { WebhookEvent } from '../../controller/edges/webhooks/webhook-event.js';
import { createGitFixture, type GitFixture } from '../source/git-fixture.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { githubExample, gitlabFixture } from '../webhooks/webhook-harness.js';
import { waitFor } from '../support/wait.js';

// A pull request is previewed only if its ref exists in the repository (ls-remote of refs/pull/N/head,
// refs/merge-requests/N/head), and only as previews.require on the followed branch allows: a refused
// request makes nothing (no record, no namespace, no cluster call) and says why. Real Git over HTTP;
// the cluster, Redis stores and queue are recording fakes, since nothing may reach them.

let fx: GitFixture;
let gitServer: GitHttpServer;
let poller: SourcePoller;
let previews: PreviewController;
let id: string;
let url: string;
const clusterCalls: string[] = [];
const stored: PreviewRecord[] = [];
const enqueued: string[] = [];
const lines: string[] = [];

beforeAll(async () => {
  fx = await createGitFixture('shop');
  gitServer = await startGitHttpServer({ root: fx.root });
  url = `${gitServer.url}/shop.git`;
  id = repoId(url);
  poller = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false, minBackoffMs: 3_600_000 });
  previews = new PreviewController({
    store: {
      get: async () => undefined,
      list: async () => [...stored],
      put: async (r: PreviewRecord) => void stored.push(r),
      delete: async () => false,
      getApproval: async () => undefined,
      putApproval: async () => undefined,
      deleteApproval: async () => undefined,
    } as never,
    state: { ensureApp: async () => undefined, getApp: async () => undefined, getHealthyManifests: async () => undefined } as never,
    queue: { enqueue: async (job: { app: string }) => void enqueued.push(job.app) } as never,
    registry: { repository: async () => ({ revision: poller.status(id)?.lastCommit }) } as never,
    poller,
    clusters: {
      get: (name: string) => {
        clusterCalls.push(name);
        throw new Error('no cluster in this test');
      },
    } as never,
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await poller?.close();
  await gitServer?.close();
  await fx?.cleanup();
});

async function follow(batonYaml: string): Promise<string> {
  const head = await fx.commit({ 'baton.yaml': batonYaml });
  poller.add({ id, url, intervalSeconds: 3600 });
  await poller.refresh(id);
  await waitFor('the commit', () => (poller.status(id)?.lastCommit === head ? true : undefined));
  return head;
}

function githubRequest(number: number, sha: string, association = 'OWNER'): WebhookEvent {
  const payload = githubExample('pull_request', (p) => p.action === 'opened') as any;
  payload.number = number;
  payload.pull_request.number = number;
  payload.pull_request.head.sha = sha;
  payload.pull_request.head.repo = { ...payload.pull_request.base.repo };
  payload.pull_request.author_association = association;
  payload.repository.clone_url = url;
  return githubEvent('pull_request', `d-${number}`, payload)!;
}

function gitlabRequest(iid: number, sha: string): WebhookEvent {
  const payload = JSON.parse(gitlabFixture('merge-request-hook'));
  payload.project.git_http_url = url;
  payload.object_attributes.target.git_http_url = url;
  Object.assign(payload.object_attributes, { iid, last_commit: { ...payload.object_attributes.last_commit, id: sha } });
  return gitlabEvent('Merge Request Hook', `d-${iid}`, payload)!;
}

const nothingMade = () => {
  expect(stored).toEqual([]);
  expect(enqueued).toEqual([]);
  expect(clusterCalls).toEqual([]);
};

describe('pull requests that do not exist', () => {
  it('a GitHub request numbered 9007199254740991 (no refs/pull/N/head) makes nothing and says why', async () => {
    const head = await follow('apps:\n  - name: web\n    path: web\n    preview: { enabled: true }\n');
    const decision = await previews.handle(githubRequest(9007199254740991, head));
    expect(decision).toMatchObject({ action: 'ignored', number: 9007199254740991 });
    expect((decision as { reason: string }).reason).toBe(`refs/pull/9007199254740991/head does not exist in ${url}: there is no such request; no preview was made`);
    expect(lines.at(-1)).toMatch(/^#9007199254740991: refs\/pull\/9007199254740991\/head does not exist/);
    nothingMade();
  });

  it('a GitLab merge request with no refs/merge-requests/N/head makes nothing either, even with a real head commit', async () => {
    const head = poller.status(id)!.lastCommit!;
    const decision = await previews.handle(gitlabRequest(4242, head));
    expect((decision as { reason: string }).reason).toMatch(/^refs\/merge-requests\/4242\/head does not exist/);
    nothingMade();
  });
});

describe('previews.require on the followed branch', () => {
  it('require: collaborator refuses a same-repository request whose author cannot push, before any ref or cluster work', async () => {
    const head = await follow('previews: { require: collaborator }\napps:\n  - name: web\n    path: web\n    preview: { enabled: true }\n');
    await git(fx.work, 'push', '-q', 'origin', 'HEAD:refs/pull/12/head');
    const decision = await previews.handle(githubRequest(12, head, 'CONTRIBUTOR'));
    expect((decision as { reason: string }).reason).toMatch(/previews\.require: collaborator: the author cannot push/);
    nothingMade();
  });
});
