import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { request, type Server } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../controller/redis/connect-redis.js';
import { createWebhookRouter, type WebhookRouterOptions } from '../../controller/edges/webhooks/create-webhook-router.js';
import type { WebhookEvent } from '../../controller/edges/webhooks/webhook-event.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

/** A controller-like HTTP server with only the webhook router, on a free loopback port. */
export interface WebhookServer {
  url: string;
  events: WebhookEvent[];
  close(): Promise<void>;
}

export async function startWebhookServer(
  redisUrl: string,
  options: Omit<WebhookRouterOptions, 'redis' | 'onEvent'> & { onEvent?: WebhookRouterOptions['onEvent'] },
): Promise<WebhookServer> {
  const redis: Redis = connectRedis(redisUrl);
  const events: WebhookEvent[] = [];
  const app = express();
  app.use(
    createWebhookRouter({
      ...options,
      redis,
      onEvent: async (event) => {
        await options.onEvent?.(event);
        events.push(event);
      },
    }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await redis.quit();
    },
  };
}

export { startTestRedis, type TestRedis };

interface OctokitExample {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

const examples: OctokitExample[] = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples'), 'utf8'),
);

/** A deep copy of a real GitHub payload from @octokit/webhooks-examples. */
export function githubExample(event: string, pick: (payload: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  const found = examples.find((e) => e.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example matches in @octokit/webhooks-examples`);
  return structuredClone(found);
}

/** A GitLab payload from GitLab's documentation (test/fixtures/gitlab), as its exact bytes. */
export function gitlabFixture(name: 'push-hook' | 'tag-push-hook' | 'merge-request-hook'): string {
  return readFileSync(new URL(`../fixtures/gitlab/${name}.json`, import.meta.url), 'utf8');
}

/** Signs as GitHub does: HMAC-SHA256 of the exact body bytes, hex, prefixed `sha256=`. */
export function githubSignature(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface SendOptions {
  delivery?: string;
  headers?: Record<string, string | undefined>;
  /**
   * Send on a new connection instead of fetch's keep-alive pool. The 30 MB
   * case once got ECONNRESET through fetch on a loaded machine (cause not
   * pinned down; suspected: a reused keep-alive socket); a fresh connection
   * takes socket reuse out of the picture.
   */
  freshConnection?: boolean;
}

/** POSTs a GitHub delivery: pretty-printed JSON, so a receiver that re-serializes would fail the signature. */
export async function sendGithub(
  server: WebhookServer,
  event: string,
  payload: unknown,
  secret: string | undefined,
  options: SendOptions = {},
): Promise<{ status: number; body: Record<string, unknown>; delivery: string }> {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload, null, 2);
  const delivery = options.delivery ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'user-agent': 'GitHub-Hookshot/test',
  };
  if (secret !== undefined) headers['x-hub-signature-256'] = githubSignature(body, secret);
  return post(`${server.url}/api/webhooks/github`, body, withOverrides(headers, options.headers), delivery, options.freshConnection);
}

/** POSTs a GitLab delivery the way GitLab does: the secret token in a header. */
export async function sendGitlab(
  server: WebhookServer,
  event: string,
  body: string,
  token: string | undefined,
  options: SendOptions = {},
): Promise<{ status: number; body: Record<string, unknown>; delivery: string }> {
  const delivery = options.delivery ?? randomUUID();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-gitlab-event': event,
    'x-gitlab-event-uuid': delivery,
    'user-agent': 'GitLab/18.0.0',
  };
  if (token !== undefined) headers['x-gitlab-token'] = token;
  return post(`${server.url}/api/webhooks/gitlab`, body, withOverrides(headers, options.headers), delivery, options.freshConnection);
}

function withOverrides(headers: Record<string, string>, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const out = { ...headers };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

async function post(url: string, body: string | Buffer, headers: Record<string, string>, delivery: string, fresh = false) {
  const { status, text } = fresh ? await postOnNewConnection(url, body, headers) : await postWithFetch(url, body, headers);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status, body: parsed, delivery };
}

async function postWithFetch(url: string, body: string | Buffer, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

function postOnNewConnection(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
