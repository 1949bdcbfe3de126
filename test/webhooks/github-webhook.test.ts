import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  githubExample,
  githubSignature,
  sendGithub,
  startTestRedis,
  startWebhookServer,
  type TestRedis,
  type WebhookServer,
} from './webhook-harness.js';

const secret = `gh-${randomUUID()}`;
const repo = 'github.com/Codertocat/Hello-World';

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

// Two real deliveries never carry the same body (the receiver drops a body it has seen): each gets its own `before` / `updated_at`.
const branchPush = () => ({ ...githubExample('push', (p) => p.ref === 'refs/heads/master'), before: randomBytes(20).toString('hex') });
const pullRequest = (action: string) => {
  const payload = githubExample('pull_request', (p) => p.action === action) as { pull_request: Record<string, unknown> };
  payload.pull_request.updated_at = new Date(Date.now() + Math.floor(Math.random() * 1e9)).toISOString();
  return payload;
};

function lastEvent() {
  return server.events.at(-1);
}

describe('GitHub webhooks: real payloads, signed as GitHub signs', () => {
  it('a push to a branch becomes a push event with the normalized repository URLs', async () => {
    const res = await sendGithub(server, 'push', branchPush(), secret);
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted', kind: 'push' } });
    expect(lastEvent()).toEqual({
      provider: 'github',
      delivery: res.delivery,
      kind: 'push',
      repoUrls: [repo],
      repoPath: 'Codertocat/Hello-World',
      ref: 'refs/heads/master',
      after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      deleted: false,
    });
  });

  it('a pushed tag becomes a tag event; a deleted tag says so', async () => {
    await sendGithub(server, 'push', githubExample('push', (p) => p.ref === 'refs/tags/simple-tag' && p.deleted === false), secret);
    expect(lastEvent()).toMatchObject({ kind: 'tag', ref: 'refs/tags/simple-tag', deleted: false });
    await sendGithub(server, 'push', githubExample('push', (p) => p.deleted === true), secret);
    expect(lastEvent()).toMatchObject({ kind: 'tag', deleted: true, after: '0000000000000000000000000000000000000000' });
  });

  it('ping is acknowledged as a ping event', async () => {
    const res = await sendGithub(server, 'ping', githubExample('ping', (p) => p.repository !== undefined), secret);
    expect(res.status).toBe(200);
    expect(lastEvent()).toMatchObject({ kind: 'ping', repoUrls: ['github.com/Octocoders/Hello-World'] });
  });

  it('pull_request opened carries what a preview needs', async () => {
    const res = await sendGithub(server, 'pull_request', pullRequest('opened'), secret);
    expect(res.status).toBe(200);
    expect(lastEvent()).toEqual({
      provider: 'github',
      delivery: res.delivery,
      kind: 'pull_request',
      repoUrls: [repo],
      repoPath: 'Codertocat/Hello-World',
      pullRequest: {
        number: 2,
        action: 'opened',
        headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        headRef: 'changes',
        baseRef: 'master',
        headFetchRef: 'refs/pull/2/head',
        fromFork: false,
        // author_association OWNER
        fromCollaborator: true,
        labels: [],
        author: 'Codertocat',
        title: 'Update the README with new information.',
        url: 'https://github.com/Codertocat/Hello-World/pull/2',
      },
    });
  });

  it('synchronize, closed and merged map to their actions', async () => {
    await sendGithub(server, 'pull_request', pullRequest('synchronize'), secret);
    expect(lastEvent()?.pullRequest?.action).toBe('synchronize');
    await sendGithub(server, 'pull_request', pullRequest('closed'), secret);
    expect(lastEvent()?.pullRequest?.action).toBe('closed');
    const merged = pullRequest('closed') as { pull_request: { merged: boolean } };
    merged.pull_request.merged = true;
    await sendGithub(server, 'pull_request', merged, secret);
    expect(lastEvent()?.pullRequest?.action).toBe('merged');
  });

  it('a label added to a pull request is passed on (it can let a fork deploy), with the repository path', async () => {
    const labeled = pullRequest('labeled') as { pull_request: { labels: Array<{ name: string }> } };
    labeled.pull_request.labels = [{ name: 'preview' }];
    await sendGithub(server, 'pull_request', labeled, secret);
    expect(lastEvent()).toMatchObject({ repoPath: 'Codertocat/Hello-World', pullRequest: { action: 'labeled', labels: ['preview'] } });
  });

  it('a pull request from a fork (or a deleted fork) is marked fromFork', async () => {
    const fork = pullRequest('opened') as { pull_request: { head: { repo: Record<string, unknown> | null } } };
    fork.pull_request.head.repo = { ...fork.pull_request.head.repo, id: 424242, full_name: 'mallory/Hello-World' };
    await sendGithub(server, 'pull_request', fork, secret);
    expect(lastEvent()?.pullRequest?.fromFork).toBe(true);
    fork.pull_request.head.repo = null;
    await sendGithub(server, 'pull_request', fork, secret);
    expect(lastEvent()?.pullRequest?.fromFork).toBe(true);
  });

  it('actions and events baton does not act on are acknowledged with 202 and ignored', async () => {
    const before = server.events.length;
    expect(await sendGithub(server, 'pull_request', pullRequest('assigned'), secret)).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect(await sendGithub(server, 'star', { action: 'created' }, secret)).toMatchObject({ status: 202, body: { status: 'ignored' } });
    expect(server.events.length).toBe(before);
  });

  it('accepts a form-encoded delivery (hook content type application/x-www-form-urlencoded)', async () => {
    const body = new URLSearchParams({ payload: JSON.stringify(branchPush()) }).toString();
    const res = await sendGithub(server, 'push', body, secret, { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(lastEvent()).toMatchObject({ delivery: res.delivery, kind: 'push' });
  });
});

describe('GitHub webhooks: refused deliveries change nothing', () => {
  it('a wrong or missing signature is 401, and does not use up the delivery id', async () => {
    const before = server.events.length;
    const delivery = randomUUID();
    const wrong = await sendGithub(server, 'push', branchPush(), 'not-the-secret', { delivery });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    const none = await sendGithub(server, 'push', branchPush(), undefined, { delivery });
    expect(none.status).toBe(401);
    expect(String(none.body.error)).toMatch(/missing X-Hub-Signature-256/);
    // A signature of another body (the JSON re-serialized compactly) does not pass either.
    const sig = githubSignature(JSON.stringify(branchPush()), secret);
    const other = await sendGithub(server, 'push', branchPush(), undefined, { delivery, headers: { 'x-hub-signature-256': sig } });
    expect(other.status).toBe(401);
    expect(server.events.length).toBe(before);
    expect((await sendGithub(server, 'push', branchPush(), secret, { delivery })).status).toBe(200);
    expect(server.events.length).toBe(before + 1);
  });

  it('a replayed delivery is answered "duplicate" and not handled again, also by another controller process', async () => {
    const delivery = randomUUID();
    expect((await sendGithub(server, 'push', branchPush(), secret, { delivery })).status).toBe(200);
    const before = server.events.length;
    expect(await sendGithub(server, 'push', branchPush(), secret, { delivery })).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    const other = await startWebhookServer(redis.url, { githubSecret: secret });
    try {
      expect(await sendGithub(other, 'push', branchPush(), secret, { delivery })).toMatchObject({ status: 200, body: { status: 'duplicate' } });
      expect(other.events).toEqual([]);
    } finally {
      await other.close();
    }
    expect(server.events.length).toBe(before);
  });

  it('a 30 MB body is refused with 413', async () => {
    const before = server.events.length;
    const huge = JSON.stringify({ ...branchPush(), padding: 'x'.repeat(30 * 1024 * 1024) });
    const res = await sendGithub(server, 'push', huge, secret, { freshConnection: true });
    expect(res).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(server.events.length).toBe(before);
  });

  it('truncated JSON is 400, even when correctly signed', async () => {
    const full = JSON.stringify(branchPush());
    const res = await sendGithub(server, 'push', full.slice(0, full.length / 2), secret);
    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_JSON' } });
  });

  it('null where an object is expected is 400 naming the field', async () => {
    const before = server.events.length;
    const res = await sendGithub(server, 'push', { ...branchPush(), repository: null }, secret);
    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_PAYLOAD', field: 'repository' } });
    expect(String(res.body.error)).toMatch(/repository/);
    const pr = pullRequest('opened') as { pull_request: { base: unknown } };
    pr.pull_request.base = null;
    expect(await sendGithub(server, 'pull_request', pr, secret)).toMatchObject({ status: 400, body: { field: 'pull_request.base' } });
    expect(await sendGithub(server, 'push', 'null', secret)).toMatchObject({ status: 400, body: { field: '(root)' } });
    expect(server.events.length).toBe(before);
  });

  it('a missing X-GitHub-Delivery is 400', async () => {
    const res = await sendGithub(server, 'push', branchPush(), secret, { headers: { 'x-github-delivery': undefined } });
    expect(res).toMatchObject({ status: 400, body: { code: 'MISSING_HEADER', field: 'x-github-delivery' } });
  });

  it('without a configured secret the endpoint answers 404 saying so, whatever is sent', async () => {
    const bare = await startWebhookServer(redis.url, { gitlabToken: 'only-gitlab' });
    try {
      const res = await sendGithub(bare, 'push', branchPush(), secret);
      expect(res).toMatchObject({ status: 404, body: { code: 'NOT_CONFIGURED' } });
      expect(String(res.body.error)).toMatch(/BATON_GITHUB_WEBHOOK_SECRET/);
      expect(bare.events).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('the receiver is still up and working after all of the above', async () => {
    expect((await sendGithub(server, 'push', branchPush(), secret)).status).toBe(200);
  });

  it('a failing handler answers 500 and lets the redelivery through', async () => {
    let fail = true;
    const flaky = await startWebhookServer(redis.url, {
      githubSecret: secret,
      onEvent: () => {
        if (fail) throw new Error('queue unavailable');
      },
    });
    try {
      const delivery = randomUUID();
      expect((await sendGithub(flaky, 'push', branchPush(), secret, { delivery })).status).toBe(500);
      fail = false;
      expect((await sendGithub(flaky, 'push', branchPush(), secret, { delivery })).status).toBe(200);
      expect(flaky.events).toHaveLength(1);
    } finally {
      await flaky.close();
    }
  });
});

describe('GitHub webhooks: wiring', () => {
  it('mounted behind express.json(), the receiver says so (500) instead of refusing every signature', async () => {
    const express = (await import('express')).default;
    const { connectRedis } = await import('../../controller/redis/connect-redis.js');
    const { createWebhookRouter } = await import('../../controller/edges/webhooks/create-webhook-router.js');
    const client = connectRedis(redis.url);
    const events: unknown[] = [];
    const app = express();
    app.use(express.json());
    app.use(createWebhookRouter({ redis: client, githubSecret: secret, onEvent: (e) => void events.push(e) }));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    try {
      const { port } = listening.address() as { port: number };
      const res = await sendGithub({ url: `http://127.0.0.1:${port}`, events: [], close: async () => {} }, 'push', branchPush(), secret);
      expect(res).toMatchObject({ status: 500, body: { code: 'MISCONFIGURED' } });
      expect(String(res.body.error)).toMatch(/before any body parser/);
      expect(events).toEqual([]);
    } finally {
      await new Promise((resolve) => listening.close(resolve));
      await client.quit();
    }
  });
});
