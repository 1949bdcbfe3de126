import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatonMetrics, type BatonMetrics } from '../../controller/observe/metrics/baton-metrics.js';
import { metricsHandler } from '../../controller/observe/metrics/metrics-handler.js';
import { observeSourcePoller } from '../../controller/observe/metrics/observe-source-poller.js';
import { webhookMetrics } from '../../controller/observe/metrics/webhook-metrics.js';
import { connectRedis } from '../../controller/redis/connect-redis.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { createWebhookRouter } from '../../controller/edges/webhooks/create-webhook-router.js';
import { PushRefresher } from '../../controller/edges/webhooks/push-refresher.js';
import type { WebhookEvent } from '../../controller/edges/webhooks/webhook-event.js';
import { parseExposition, sampleValue } from '../metrics/parse-exposition.js';
import { createGitFixture, type GitFixture } from '../source/git-fixture.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { githubExample, gitlabFixture, sendGithub, sendGitlab, startTestRedis, type TestRedis, type WebhookServer } from './webhook-harness.js';
import { waitFor } from '../support/wait.js';

// The controller's webhook path as `baton up` mounts it (delivery metrics, receiver, pushes → PushRefresher →
// SourcePoller.refresh, /metrics) over a real Git HTTP remote: a burst of signed pushes, and replayed bodies.

const SECRET = `gh-${randomUUID()}`;
const GITLAB_TOKEN = `gl-${randomUUID()}`;
let redis: TestRedis;
let client: Redis;
let fx: GitFixture;
let gitServer: GitHttpServer;
let poller: SourcePoller;
let refresher: PushRefresher;
let metrics: BatonMetrics;
let server: Server;
let hooks: WebhookServer;
const events: WebhookEvent[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  client = connectRedis(redis.url);
  fx = await createGitFixture('shop');
  gitServer = await startGitHttpServer({ root: fx.root });
  poller = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false, minBackoffMs: 3_600_000 });
  metrics = createBatonMetrics(undefined, { defaultMetrics: false });
  observeSourcePoller(metrics, poller);
  refresher = new PushRefresher({ refresh: (url) => poller.refresh(url) });
  const app = express();
  app.get('/metrics', metricsHandler(metrics.registry));
  app.use('/api/webhooks', webhookMetrics(metrics));
  app.use(
    createWebhookRouter({
      redis: client,
      githubSecret: SECRET,
      gitlabToken: GITLAB_TOKEN,
      onEvent: (event) => {
        events.push(event);
        refresher.onEvent(event);
      },
    }),
  );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  hooks = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, events, close: async () => undefined };
});

afterAll(async () => {
  refresher?.close();
  await poller?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await client?.quit();
  await gitServer?.close();
  await fx?.cleanup();
  await redis?.cleanup();
});

async function scrape() {
  return parseExposition(await (await fetch(`${hooks.url}/metrics`)).text());
}

/** A real push payload of GitHub's naming the served repository; `before` differs per push, as in real pushes. */
function push(after: string) {
  const payload = githubExample('push', (p) => p.ref === 'refs/heads/master') as any;
  payload.repository.clone_url = `${gitServer.url}/shop.git`;
  payload.after = after;
  payload.before = randomBytes(20).toString('hex');
  return payload;
}

describe('a burst of pushes', () => {
  it('1,000 signed pushes with new delivery ids cost a handful of ls-remote calls, and the last commit is seen', async () => {
    await fx.commit({ 'baton.yaml': 'apps: []\n' });
    const url = `${gitServer.url}/shop.git`;
    const id = repoId(url);
    poller.add({ id, url, intervalSeconds: 3600 });
    await waitFor('first revision', async () => (sampleValue(await scrape(), 'baton_source_revisions_total', { repo: id }) === 1 ? true : undefined));
    const lsRemote = async () => sampleValue(await scrape(), 'baton_git_request_total', { repo: id, request_type: 'ls-remote' }) ?? 0;
    const before = await lsRemote();

    const head = await fx.commit({ 'baton.yaml': 'apps: [] # pushed\n' });
    const pending = Array.from({ length: 1000 }, () => push(head));
    const answers: number[] = [];
    // GitHub delivers concurrently: 20 connections at a time.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let body = pending.pop(); body; body = pending.pop()) answers.push((await sendGithub(hooks, 'push', body, SECRET)).status);
      }),
    );
    expect(answers.filter((s) => s === 200)).toHaveLength(1000);

    // Every check the burst asked for has run (the last window's included): the count is final.
    await refresher.idle();
    expect(poller.status(id)?.lastCommit).toBe(head);
    const calls = (await lsRemote()) - before;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(5);
    expect(sampleValue(await scrape(), 'baton_webhook_requests_total', { provider: 'github', result: 'accepted' })).toBe(1000);
  });
});

describe('replayed bodies', () => {
  it('a captured GitHub body sent again under a new delivery id is answered 200 duplicate, not handled, and counted', async () => {
    const body = JSON.stringify(push('0'.repeat(40)), null, 2);
    const duplicatesBefore = sampleValue(await scrape(), 'baton_webhook_requests_total', { provider: 'github', result: 'duplicate' }) ?? 0;
    const first = await sendGithub(hooks, 'push', body, SECRET);
    expect(first).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const handled = events.length;
    for (let i = 0; i < 3; i++) {
      const replay = await sendGithub(hooks, 'push', body, SECRET);
      expect(replay.delivery).not.toBe(first.delivery);
      expect(replay).toMatchObject({ status: 200, body: { status: 'duplicate', duplicateOf: 'body' } });
    }
    expect(events.length).toBe(handled);
    expect(sampleValue(await scrape(), 'baton_webhook_requests_total', { provider: 'github', result: 'duplicate' })).toBe(duplicatesBefore + 3);
  });

  it("a GitLab body replayed with a new X-Gitlab-Event-UUID is a duplicate too; another event's body is not", async () => {
    const tagPush = gitlabFixture('tag-push-hook');
    expect((await sendGitlab(hooks, 'Tag Push Hook', tagPush, GITLAB_TOKEN)).body).toMatchObject({ status: 'accepted' });
    expect((await sendGitlab(hooks, 'Tag Push Hook', tagPush, GITLAB_TOKEN)).body).toMatchObject({ status: 'duplicate', duplicateOf: 'body' });
    expect(sampleValue(await scrape(), 'baton_webhook_requests_total', { provider: 'gitlab', result: 'duplicate' })).toBe(1);
    expect((await sendGitlab(hooks, 'Push Hook', gitlabFixture('push-hook'), GITLAB_TOKEN)).body).toMatchObject({ status: 'accepted' });
  });
});
