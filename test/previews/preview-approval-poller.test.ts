import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreviewController, type PreviewDecision } from '../../controller/previews/preview-controller.js';
import type { PreviewApproval } from '../../controller/previews/preview-approval.js';
import type { PreviewRecord } from '../../controller/previews/preview-record.js';
import { PullRequestPoller } from '../../controller/previews/pull-request-poller.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import type { WebhookEvent } from '../../controller/edges/webhooks/webhook-event.js';
import { createGitFixture, type GitFixture } from '../source/git-fixture.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { githubExample } from '../webhooks/webhook-harness.js';
import { waitFor } from '../support/wait.js';

// The pull-request poller (for repositories whose webhooks cannot reach baton) is held to the same
// rule as webhooks: a fork's request deploys the head the maintainer's label was seen with, not a
// later push, until the label is seen gone and back. Real Git over HTTP, a local stand-in for
// GitHub's "list pull requests" answering with GitHub's own pull request objects; the preview store
// is in memory and the cluster refuses every call, so what a preview deploys is read from the record
// the worker syncs from (its headSha), written before any cluster work.

const NUMBER = 31;
let fx: GitFixture;
let gitServer: GitHttpServer;
let api: Server;
let apiUrl: string;
let open: unknown[] = [];
let sources: SourcePoller;
let previews: PreviewController;
let poller: PullRequestPoller;
let id: string;
const records = new Map<number, PreviewRecord>();
const deployed: string[] = [];
const approvals = new Map<string, PreviewApproval>();
const decisions: PreviewDecision[] = [];

/** GitHub's pull request object (its webhook example's, the API's shape) for the fork's request at `sha`. */
function forkPull(sha: string, labels: string[]): unknown {
  const pr = (githubExample('pull_request', (p) => p.action === 'opened') as any).pull_request;
  return { ...pr, number: NUMBER, author_association: 'NONE', labels: labels.map((name) => ({ name })), head: { ...pr.head, sha, ref: 'fork-branch', repo: { ...pr.base.repo, id: 999_999 } } };
}

beforeAll(async () => {
  fx = await createGitFixture('shop');
  gitServer = await startGitHttpServer({ root: fx.root });
  const url = `${gitServer.url}/shop.git`;
  id = repoId(url);
  const head = await fx.commit({ 'baton.yaml': 'apps:\n  - name: web\n    path: web\n    preview: { enabled: true }\n', 'web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\n' });
  sources = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false, minBackoffMs: 3_600_000 });
  sources.add({ id, url, intervalSeconds: 3600 });
  await sources.refresh(id);
  await waitFor('the followed commit', () => (sources.status(id)?.lastCommit === head ? true : undefined));
  previews = new PreviewController({
    store: {
      get: async (n: number) => records.get(n),
      list: async () => [...records.values()],
      put: async (r: PreviewRecord) => {
        records.set(r.number, r);
        deployed.push(r.headSha);
      },
      delete: async (n: number) => records.delete(n),
      getApproval: async (repo: string, n: number) => approvals.get(`${n}@${repo}`),
      putApproval: async (repo: string, n: number, a: PreviewApproval) => void approvals.set(`${n}@${repo}`, a),
      deleteApproval: async (repo: string, n: number) => void approvals.delete(`${n}@${repo}`),
    } as never,
    state: { ensureApp: async () => undefined, getApp: async () => undefined, getHealthyManifests: async () => undefined } as never,
    queue: { enqueue: async () => undefined } as never,
    registry: { repository: async () => ({ revision: sources.status(id)?.lastCommit }) } as never,
    poller: sources,
    clusters: {
      get: () => {
        throw new Error('no cluster in this test');
      },
    } as never,
  });
  api = createServer((req, res) => {
    if (req.url?.startsWith('/repos/acme/shop/pulls?state=open')) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(open));
    else res.writeHead(404).end('{"message":"Not Found"}');
  });
  await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  poller = new PullRequestPoller({
    provider: 'github',
    repoPath: 'acme/shop',
    repoUrl: url,
    repository: id,
    token: 't',
    apiUrl,
    previews: {
      handle: async (event: WebhookEvent) => {
        const decision = await previews.handle(event);
        if (decision) decisions.push(decision);
        return decision;
      },
      list: () => previews.list(),
    },
  });
});

afterAll(async () => {
  await new Promise((done) => api?.close(done));
  await sources?.close();
  await gitServer?.close();
  await fx?.cleanup();
});

/** A commit of the fork's, where GitHub keeps the request's head. */
async function forkPush(content: string): Promise<string> {
  const sha = await fx.commit({ 'web/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { v: "${content}" }\n` }, content, false);
  await git(fx.work, 'push', '-qf', 'origin', `HEAD:refs/pull/${NUMBER}/head`);
  return sha;
}

const lastReason = () => {
  const last = decisions.at(-1);
  return last?.action === 'ignored' ? last.reason : `(${last?.action})`;
};

describe('the pull-request poller and a label-gated request', () => {
  it('deploys the head seen with the label, holds a later push, and deploys it once the label is seen gone and back', async () => {
    const a = await forkPush('a');
    open = [forkPull(a, [])];
    await poller.pollOnce();
    expect(lastReason()).toMatch(/^comes from a fork: not deployed until a maintainer adds the label "preview"/);

    open = [forkPull(a, ['preview'])];
    await poller.pollOnce();
    expect(deployed).toEqual([a]);
    expect(approvals.get(`${NUMBER}@${id}`)).toMatchObject({ label: 'preview', sha: a, how: 'seen' });

    const b = await forkPush('b');
    open = [forkPull(b, ['preview'])];
    await poller.pollOnce();
    expect(lastReason()).toBe(`new commits since the label "preview" was added at ${a.slice(0, 7)}: not deployed until a maintainer adds the label again (remove it and add it); the preview keeps running ${a.slice(0, 7)}`);
    expect(deployed).toEqual([a]);

    open = [forkPull(b, [])];
    await poller.pollOnce();
    expect(lastReason()).toMatch(new RegExp(`^comes from a fork: .*; the preview keeps running ${a.slice(0, 7)}$`));
    expect(approvals.size).toBe(0);
    expect(deployed).toEqual([a]);

    open = [forkPull(b, ['preview'])];
    await poller.pollOnce();
    expect(deployed).toEqual([a, b]);
    expect(records.get(NUMBER)).toMatchObject({ headSha: b, approval: { sha: b } });
  });
});
