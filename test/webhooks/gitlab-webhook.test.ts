import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gitlabFixture,
  sendGitlab,
  startTestRedis,
  startWebhookServer,
  type TestRedis,
  type WebhookServer,
} from './webhook-harness.js';

const token = `gl-${randomUUID()}`;

let redis: TestRedis;
let server: WebhookServer;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startWebhookServer(redis.url, { gitlabToken: token });
});

afterAll(async () => {
  await server?.close();
  await redis?.cleanup();
});

/** GitLab's documented merge request payload with `object_attributes` fields changed. */
function mergeRequest(attributes: Record<string, unknown>): string {
  const payload = JSON.parse(gitlabFixture('merge-request-hook'));
  Object.assign(payload.object_attributes, attributes);
  return JSON.stringify(payload);
}

const lastEvent = () => server.events.at(-1);

describe("GitLab webhooks: GitLab's documented payloads", () => {
  it('Push Hook becomes a push event; the ssh and http URLs normalize to one', async () => {
    const res = await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), token);
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted', kind: 'push' } });
    expect(lastEvent()).toEqual({
      provider: 'gitlab',
      delivery: res.delivery,
      kind: 'push',
      repoUrls: ['example.com/mike/diaspora'],
      repoPath: 'mike/diaspora',
      ref: 'refs/heads/master',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      deleted: false,
    });
  });

  it('Tag Push Hook becomes a tag event', async () => {
    await sendGitlab(server, 'Tag Push Hook', gitlabFixture('tag-push-hook'), token);
    expect(lastEvent()).toMatchObject({
      kind: 'tag',
      repoUrls: ['example.com/jsmith/example'],
      ref: 'refs/tags/v1.0.0',
      after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
    });
  });

  it('Merge Request Hook (open) carries what a preview needs', async () => {
    const res = await sendGitlab(server, 'Merge Request Hook', gitlabFixture('merge-request-hook'), token);
    expect(res.status).toBe(200);
    expect(lastEvent()).toEqual({
      provider: 'gitlab',
      delivery: res.delivery,
      kind: 'pull_request',
      repoUrls: ['example.com/gitlabhq/gitlab-test', 'example.com/awesome_space/awesome_project'],
      // The target project's path: statuses go where the request is merged.
      repoPath: 'awesome_space/awesome_project',
      pullRequest: {
        number: 1,
        action: 'opened',
        headSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        headRef: 'ms-viewport',
        baseRef: 'master',
        headFetchRef: 'refs/merge-requests/1/head',
        fromFork: false,
        // From the project itself: its author can push there.
        fromCollaborator: true,
        labels: ['API'],
        // The documented payload's changes.labels (GitLab's own example, API swapped for Platform).
        labelChange: { added: ['Platform'], removed: ['API'], observed: 'event' },
        // The documented event was sent by user 1 about a request authored by user 51.
        author: 'user-id:51',
        title: 'MS-Viewport',
        url: 'http://example.com/diaspora/merge_requests/1',
      },
    });
  });

  it.each([
    ['update', 'synchronize'],
    ['reopen', 'reopened'],
    ['close', 'closed'],
    ['merge', 'merged'],
  ])('action %s maps to %s', async (action, expected) => {
    await sendGitlab(server, 'Merge Request Hook', mergeRequest({ action }), token);
    expect(lastEvent()?.pullRequest?.action).toBe(expected);
  });

  it('a merge request from another project (a fork) is marked fromFork', async () => {
    await sendGitlab(server, 'Merge Request Hook', mergeRequest({ source_project_id: 15 }), token);
    expect(lastEvent()?.pullRequest?.fromFork).toBe(true);
  });

  it('approvals and unknown hooks are acknowledged with 202 and ignored', async () => {
    const before = server.events.length;
    expect(await sendGitlab(server, 'Merge Request Hook', mergeRequest({ action: 'approved' }), token)).toMatchObject({
      status: 202,
      body: { status: 'ignored' },
    });
    expect((await sendGitlab(server, 'Pipeline Hook', '{"object_kind":"pipeline"}', token)).status).toBe(202);
    expect(server.events.length).toBe(before);
  });
});

describe('GitLab webhooks: refused deliveries change nothing', () => {
  it('a wrong or missing token is 401, and does not use up the delivery id', async () => {
    const before = server.events.length;
    const delivery = randomUUID();
    expect(await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), `${token}x`, { delivery })).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED' },
    });
    expect((await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), undefined, { delivery })).status).toBe(401);
    expect(server.events.length).toBe(before);
    expect((await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), token, { delivery })).status).toBe(200);
  });

  it('a replayed X-Gitlab-Event-UUID is answered "duplicate" and not handled again', async () => {
    const delivery = randomUUID();
    await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), token, { delivery });
    const before = server.events.length;
    expect(await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), token, { delivery })).toMatchObject({
      status: 200,
      body: { status: 'duplicate' },
    });
    expect(server.events.length).toBe(before);
  });

  it('a missing X-Gitlab-Event-UUID is 400', async () => {
    const res = await sendGitlab(server, 'Push Hook', gitlabFixture('push-hook'), token, { headers: { 'x-gitlab-event-uuid': undefined } });
    expect(res).toMatchObject({ status: 400, body: { field: 'x-gitlab-event-uuid' } });
  });

  it('truncated JSON and null objects are 400 naming the problem', async () => {
    const before = server.events.length;
    const body = gitlabFixture('merge-request-hook');
    expect(await sendGitlab(server, 'Merge Request Hook', body.slice(0, 700), token)).toMatchObject({ status: 400, body: { code: 'INVALID_JSON' } });
    const nulled = JSON.stringify({ ...JSON.parse(body), object_attributes: null });
    expect(await sendGitlab(server, 'Merge Request Hook', nulled, token)).toMatchObject({ status: 400, body: { field: 'object_attributes' } });
    const noProject = JSON.stringify({ ...JSON.parse(gitlabFixture('push-hook')), project: null });
    expect(await sendGitlab(server, 'Push Hook', noProject, token)).toMatchObject({ status: 400, body: { field: 'project' } });
    expect(await sendGitlab(server, 'Merge Request Hook', mergeRequest({ last_commit: null }), token)).toMatchObject({
      status: 400,
      body: { field: 'object_attributes.last_commit' },
    });
    expect(server.events.length).toBe(before);
  });

  it('a body over the size limit is 413', async () => {
    const small = await startWebhookServer(redis.url, { gitlabToken: token, maxBodyBytes: 1024 });
    try {
      expect(await sendGitlab(small, 'Push Hook', gitlabFixture('push-hook'), token)).toMatchObject({ status: 413 });
      expect(small.events).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('without a configured token the endpoint answers 404 saying so', async () => {
    const bare = await startWebhookServer(redis.url, { githubSecret: 'only-github' });
    try {
      const res = await sendGitlab(bare, 'Push Hook', gitlabFixture('push-hook'), token);
      expect(res).toMatchObject({ status: 404, body: { code: 'NOT_CONFIGURED' } });
      expect(String(res.body.error)).toMatch(/BATON_GITLAB_WEBHOOK_TOKEN/);
      expect(bare.events).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
