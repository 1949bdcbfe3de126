import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubExample, sendGithub, startTestRedis, startWebhookServer, type TestRedis, type WebhookServer } from './webhook-harness.js';

// Deliveries the fuzzer in test/fuzz/webhooks.fuzz.test.ts found answered with a 500.

const secret = `gh-${randomUUID()}`;

let redis: TestRedis;
let server: WebhookServer;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startWebhookServer(redis.url, { githubSecret: secret });
});

afterAll(async () => {
  await server?.close();
  await redis?.cleanup();
});

describe('hostile webhook deliveries', () => {
  it('a body whose Content-Encoding does not inflate is a 400 INVALID_PAYLOAD, not a 500', async () => {
    for (const encoding of ['deflate', 'gzip', 'br']) {
      const res = await sendGithub(server, 'push', 'not compressed at all', secret, { headers: { 'content-encoding': encoding } });
      expect(res, encoding).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD' } });
      expect(String(res.body.error), encoding).toMatch(/^body could not be read: /);
    }
    expect(server.events).toEqual([]);
    // The receiver still takes a good delivery afterwards.
    expect(await sendGithub(server, 'push', githubExample('push'), secret)).toMatchObject({ status: 200, body: { status: 'accepted' } });
  });
});
