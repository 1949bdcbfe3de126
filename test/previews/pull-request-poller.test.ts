import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullRequestPoller } from '../../controller/previews/pull-request-poller.js';
import type { PreviewDecision } from '../../controller/previews/preview-controller.js';
import type { PreviewRecord } from '../../controller/previews/preview-record.js';
import type { WebhookEvent } from '../../controller/edges/webhooks/webhook-event.js';
import { githubExample } from '../webhooks/webhook-harness.js';

// The poller against a local stand-in for GitHub's "list pull requests" endpoint, answering with the
// pull request objects of GitHub's own webhook examples (the same shape the API returns).

let api: Server;
let apiUrl: string;
let open: unknown[] = [];
const requests: Array<{ url: string; auth?: string }> = [];

function pull(number: number, sha: string, labels: string[] = []): unknown {
  const pr = (githubExample('pull_request', (p) => p.action === 'opened') as any).pull_request;
  return { ...pr, number, labels: labels.map((name) => ({ name })), head: { ...pr.head, sha, ref: `branch-${number}` } };
}

/** Records what the poller hands over; knows the previews it "opened". */
function recorder() {
  const events: WebhookEvent[] = [];
  const records = new Map<number, PreviewRecord>();
  let transient = 0;
  return {
    events,
    failNext(n: number) {
      transient = n;
    },
    previews: {
      async handle(event: WebhookEvent): Promise<PreviewDecision | undefined> {
        events.push(event);
        const pr = event.pullRequest!;
        if (transient-- > 0) return { action: 'ignored', number: pr.number, reason: 'repository not read yet', retry: true };
        if (pr.action === 'closed') {
          records.delete(pr.number);
          return { action: 'removed', number: pr.number };
        }
        records.set(pr.number, { number: pr.number, repository: 'repo-1', provider: 'github', headSha: pr.headSha } as PreviewRecord);
        return { action: 'deployed', number: pr.number, apps: [] };
      },
      async list() {
        return [...records.values()];
      },
    },
  };
}

beforeAll(async () => {
  api = createServer((req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.url?.startsWith('/repos/acme/shop/pulls?state=open')) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(open));
    else res.writeHead(404).end('{"message":"Not Found"}');
  });
  await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => api.close(done));
});

describe('PullRequestPoller', () => {
  it('opens new requests, re-syncs a new head or labels, closes requests no longer open, and asks again after a passing failure', async () => {
    const r = recorder();
    const poller = new PullRequestPoller({
      provider: 'github',
      repoPath: 'acme/shop',
      repoUrl: 'https://github.com/acme/shop.git',
      repository: 'repo-1',
      token: 'gh-token',
      apiUrl,
      previews: r.previews,
    });
    const sha = (c: string) => c.repeat(40);
    open = [pull(7, sha('a')), pull(8, sha('b'))];
    r.failNext(1);
    await poller.pollOnce();
    expect(r.events.map((e) => [e.pullRequest!.number, e.pullRequest!.action])).toEqual([
      [7, 'opened'],
      [8, 'opened'],
    ]);
    expect(r.events[0]).toMatchObject({ provider: 'github', kind: 'pull_request', repoUrls: ['https://github.com/acme/shop.git'], repoPath: 'acme/shop' });
    expect(r.events[0].pullRequest).toMatchObject({ headFetchRef: 'refs/pull/7/head', headRef: 'branch-7', fromFork: false });
    expect(requests.at(-1)?.auth).toBe('Bearer gh-token');

    // #7 was not handled (retry): asked again; #8 unchanged: nothing. Then #8 gets a new head and a label.
    r.events.length = 0;
    await poller.pollOnce();
    expect(r.events.map((e) => [e.pullRequest!.number, e.pullRequest!.action])).toEqual([[7, 'opened']]);
    r.events.length = 0;
    open = [pull(7, sha('a')), pull(8, sha('c'), ['preview'])];
    await poller.pollOnce();
    expect(r.events.map((e) => [e.pullRequest!.number, e.pullRequest!.action, e.pullRequest!.labels])).toEqual([[8, 'synchronize', ['preview']]]);
    // The label it saw appear is handed over as such: the previews bind a maintainer's label to the head seen with it.
    expect(r.events[0].pullRequest!.labelChange).toEqual({ added: ['preview'], removed: [], observed: 'poll' });

    // #7 closed on GitHub: no longer listed, so its preview is closed.
    r.events.length = 0;
    open = [pull(8, sha('c'), ['preview'])];
    await poller.pollOnce();
    expect(r.events.map((e) => [e.pullRequest!.number, e.pullRequest!.action])).toEqual([[7, 'closed']]);
  });

  it('says what the API answered when it is not a list of pull requests', async () => {
    const poller = new PullRequestPoller({ provider: 'github', repoPath: 'acme/other', repoUrl: 'x', repository: 'repo-1', token: 't', apiUrl, previews: recorder().previews });
    await expect(poller.pollOnce()).rejects.toThrow(/GET \/repos\/acme\/other\/pulls answered 404/);
    open = [{ number: 'seven' }];
    const shop = new PullRequestPoller({ provider: 'github', repoPath: 'acme/shop', repoUrl: 'x', repository: 'repo-1', token: 't', apiUrl, previews: recorder().previews });
    await expect(shop.pollOnce()).rejects.toThrow(/unexpected answer from GitHub: 0\.number/);
  });

  it('once started, polls at once and again each interval, logs a failed poll and keeps going, and stops on close', async () => {
    const lines: string[] = [];
    const polled = () => requests.filter((r) => r.url.startsWith('/repos/acme/gone/')).length;
    const poller = new PullRequestPoller({
      provider: 'github',
      repoPath: 'acme/gone',
      repoUrl: 'x',
      repository: 'repo-1',
      token: 't',
      apiUrl,
      intervalMs: 10,
      previews: recorder().previews,
      log: (line) => lines.push(line),
    });
    poller.start();
    for (let i = 0; i < 1000 && polled() < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(polled()).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^pull requests of acme\/gone: GET \/repos\/acme\/gone\/pulls answered 404/);
    await poller.close();
    const after = polled();
    await new Promise((r) => setTimeout(r, 50));
    expect(polled()).toBe(after);
  });
});
