import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatonMetrics, type BatonMetrics } from '../../controller/observe/metrics/baton-metrics.js';
import { metricsHandler } from '../../controller/observe/metrics/metrics-handler.js';
import { webhookMetrics } from '../../controller/observe/metrics/webhook-metrics.js';
import { connectRedis } from '../../controller/redis/connect-redis.js';
import { createWebhookRouter } from '../../controller/edges/webhooks/create-webhook-router.js';
import { githubExample, gitlabFixture, sendGithub, sendGitlab, startTestRedis, type TestRedis, type WebhookServer } from '../webhooks/webhook-harness.js';
import { parseExposition, sampleValue } from './parse-exposition.js';

const SECRET = 'metrics-test-github-secret';
let redis: TestRedis;
let client: Redis;
let metrics: BatonMetrics;
let server: Server;
let hooks: WebhookServer;

beforeAll(async () => {
  redis = await startTestRedis();
  client = connectRedis(redis.url);
  metrics = createBatonMetrics(undefined, { defaultMetrics: false });
  const app = express();
  // As the controller would mount them: the counter first, then the real receiver (GitLab left unconfigured).
  app.use('/api/webhooks', webhookMetrics(metrics));
  app.use(createWebhookRouter({ redis: client, githubSecret: SECRET, onEvent: () => undefined }));
  app.get('/metrics', metricsHandler(metrics.registry));
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  hooks = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, events: [], close: async () => undefined };
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await client?.quit();
  await redis?.cleanup();
});

describe('webhook delivery metrics over the real receiver', () => {
  it('counts deliveries by provider and result as the receiver answered them', async () => {
    const push = githubExample('push', (p) => typeof p.ref === 'string' && String(p.ref).startsWith('refs/heads/'));
    const first = await sendGithub(hooks, 'push', push, SECRET);
    expect(first.status).toBe(200);
    expect((await sendGithub(hooks, 'push', push, SECRET, { delivery: first.delivery })).body.status).toBe('duplicate');
    expect((await sendGithub(hooks, 'push', push, 'not-the-secret')).status).toBe(401);
    expect((await sendGithub(hooks, 'watch', githubExample('watch'), SECRET)).status).toBe(202);
    expect((await sendGitlab(hooks, 'Push Hook', gitlabFixture('push-hook'), 'whatever')).status).toBe(404);

    const res = await fetch(`${hooks.url}/metrics`);
    const m = parseExposition(await res.text());
    expect(sampleValue(m, 'baton_webhook_requests_total', { provider: 'github', result: 'accepted' })).toBe(1);
    expect(sampleValue(m, 'baton_webhook_requests_total', { provider: 'github', result: 'duplicate' })).toBe(1);
    expect(sampleValue(m, 'baton_webhook_requests_total', { provider: 'github', result: 'unauthorized' })).toBe(1);
    expect(sampleValue(m, 'baton_webhook_requests_total', { provider: 'github', result: 'ignored' })).toBe(1);
    expect(sampleValue(m, 'baton_webhook_requests_total', { provider: 'gitlab', result: 'not_configured' })).toBe(1);
  });
});
