import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubEvent } from '../../controller/edges/webhooks/github-event.js';
import type { WebhookEvent } from '../../controller/edges/webhooks/webhook-event.js';
import { PreviewController, type PreviewDecision } from '../../controller/previews/preview-controller.js';
import { PreviewStore } from '../../controller/previews/preview-store.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { StateStore } from '../../controller/state/state-store.js';
import { SyncRegistry } from '../../controller/state/sync-registry.js';
import { startHarness, type Harness } from '../apply/apply-harness.js';
import { createGitFixture, type GitFixture } from '../source/git-fixture.js';
import { git, startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { waitFor } from '../support/wait.js';
import { githubExample } from '../webhooks/webhook-harness.js';

// A fork's request approved by the maintainer's label, closed unmerged, pushed to while closed and
// reopened: the approval outlives the close and any sweep (a reopen with no approval on record is a
// first sight, which would approve the new head under the old label), so the reopen and the next
// push are still held. Real Redis (the preview store, state, queue), a real runtime, real Git over
// HTTP; GitHub's own pull_request payloads.

const DAY = 24 * 3600 * 1000;
const NUMBER = 41;
let redis: TestRedis;
let harness: Harness;
let fx: GitFixture;
let gitServer: GitHttpServer;
let url: string;
let id: string;
let store: PreviewStore;
let state: StateStore;
let queue: SyncQueue;
let registry: SyncRegistry;
let sources: SourcePoller;
let previews: PreviewController;

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startHarness();
  fx = await createGitFixture('shop');
  gitServer = await startGitHttpServer({ root: fx.root });
  url = `${gitServer.url}/shop.git`;
  id = repoId(url);
  const head = await fx.commit({ 'baton.yaml': 'apps:\n  - name: web\n    path: web\n    namespace: shop\n    preview: { enabled: true }\n', 'web/cm.yaml': configMap('main') });
  sources = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false, minBackoffMs: 3_600_000 });
  sources.add({ id, url, intervalSeconds: 3600 });
  await sources.refresh(id);
  await waitFor('the followed commit', () => (sources.status(id)?.lastCommit === head ? true : undefined));
  store = new PreviewStore(redis.url);
  state = new StateStore({ redisUrl: redis.url });
  queue = new SyncQueue({ redisUrl: redis.url });
  registry = new SyncRegistry(redis.url);
  await registry.setRepository({ id, url, intervalSeconds: 3600 }, head);
  previews = new PreviewController({ store, state, queue, registry, poller: sources, clusters: { get: () => harness.target } as never, ttlMs: 7 * DAY });
}, 60_000);

afterAll(async () => {
  await sources?.close();
  await Promise.all([store?.close(), state?.close(), queue?.close(), registry?.close()]);
  await harness?.close();
  await redis?.cleanup();
  await gitServer?.close();
  await fx?.cleanup();
}, 60_000);

function configMap(v: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\ndata: { v: "${v}" }\n`;
}

/** A commit of the fork's, where GitHub keeps the request's head. */
async function forkPush(v: string): Promise<string> {
  const sha = await fx.commit({ 'web/cm.yaml': configMap(v) }, v, false);
  await git(fx.work, 'push', '-qf', 'origin', `HEAD:refs/pull/${NUMBER}/head`);
  return sha;
}

/** GitHub's `pull_request` delivery for the fork's request, labelled `preview`, at `sha`. */
function fromFork(action: 'labeled' | 'closed' | 'reopened' | 'synchronize', sha: string): WebhookEvent {
  const payload = githubExample('pull_request', (p) => p.action === action) as any;
  payload.number = NUMBER;
  payload.repository.clone_url = url;
  const pr = payload.pull_request;
  Object.assign(pr, { number: NUMBER, merged: false, author_association: 'NONE', labels: [{ id: 1, name: 'preview', color: 'ededed', default: false }] });
  Object.assign(pr.head, { sha, ref: 'fork-branch', repo: { ...pr.base.repo, id: 999_999, full_name: 'mallory/shop' } });
  if (action === 'labeled') payload.label = { ...payload.label, name: 'preview' };
  return githubEvent('pull_request', `d-${action}-${sha}`, payload)!;
}

async function send(action: 'labeled' | 'closed' | 'reopened' | 'synchronize', sha: string): Promise<PreviewDecision | undefined> {
  return previews.handle(fromFork(action, sha));
}

describe("a label-gated request closed unmerged, then reopened", () => {
  it('stays held to the head the label approved, even after sweeps long past the close, while it was closed and after', async () => {
    const a = await forkPush('a');
    expect(await send('labeled', a)).toMatchObject({ action: 'deployed', number: NUMBER });
    expect((await store.get(NUMBER))?.headSha).toBe(a);

    expect(await send('closed', a)).toMatchObject({ action: 'removed' });
    expect(await store.getApproval(id, NUMBER)).toMatchObject({ sha: a });

    // Eight days on, while it is still closed, the sweep keeps the approval; pushed to, then reopened
    // with the label still on: B is not the approved head.
    await previews.sweep(Date.now() + 8 * DAY);
    expect(await store.getApproval(id, NUMBER)).toMatchObject({ sha: a });
    const b = await forkPush('b');
    const held = `new commits since the label "preview" was added at ${a.slice(0, 7)}: not deployed until a maintainer adds the label again (remove it and add it)`;
    expect(await send('reopened', b)).toEqual({ action: 'ignored', number: NUMBER, reason: held });

    // And once open again: the sweep keeps the approval; the next push is still held.
    await previews.sweep(Date.now() + 16 * DAY);
    expect(await store.getApproval(id, NUMBER)).toMatchObject({ sha: a });
    expect(await send('synchronize', b)).toEqual({ action: 'ignored', number: NUMBER, reason: held });
    expect(await store.get(NUMBER)).toBeUndefined();
  });
});
