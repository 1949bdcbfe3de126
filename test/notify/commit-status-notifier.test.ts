import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommitStatusNotifier } from '../../controller/edges/notify/commit-status-notifier.js';
import { NotifyError } from '../../controller/edges/notify/notify-error.js';
import type { CommitStatus } from '../../controller/edges/notify/commit-status.js';

/** A stand-in for the GitHub and GitLab status endpoints: records requests, answers scripted statuses. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

let server: Server;
let apiUrl: string;
let received: Received[] = [];
let script: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      const status = script.shift() ?? 201;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { id: received.length } : { message: status === 422 ? 'No commit found for SHA' : 'Bad Gateway' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  script = [];
});

const sha = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const githubToken = 'ghp_test_token_never_logged';
const gitlabToken = 'glpat-test-token-never-logged';

function notifier(extra: ConstructorParameters<typeof CommitStatusNotifier>[0] = {}) {
  return new CommitStatusNotifier({
    githubToken,
    gitlabToken,
    githubApiUrl: apiUrl,
    gitlabApiUrl: `${apiUrl}/api/v4`,
    retryBaseMs: 1,
    ...extra,
  });
}

const status = (over: Partial<CommitStatus> = {}): CommitStatus => ({
  provider: 'github',
  repository: 'https://github.com/acme/shop.git',
  sha,
  state: 'success',
  app: 'catalog',
  targetUrl: 'http://pr-7.localhost:7080/',
  description: 'Preview is healthy',
  ...over,
});

describe('CommitStatusNotifier', () => {
  it('posts a GitHub status to /repos/{owner}/{repo}/statuses/{sha} with a bearer token', async () => {
    const result = await notifier().notify(status());
    expect(result).toEqual({ outcome: 'sent', attempts: 1, status: 201 });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/repos/acme/shop/statuses/${sha}`);
    expect(req.headers.authorization).toBe(`Bearer ${githubToken}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      state: 'success',
      context: 'baton/catalog',
      target_url: 'http://pr-7.localhost:7080/',
      description: 'Preview is healthy',
    });
  });

  it('maps states to GitHub (running shows as pending) and cuts long descriptions to 140 characters', async () => {
    await notifier().notify(status({ state: 'running', description: 'x'.repeat(300) }));
    await notifier().notify(status({ state: 'failure', repository: 'acme/shop' }));
    expect(received.map((r) => (r.body as { state: string }).state)).toEqual(['pending', 'failure']);
    expect((received[0].body as { description: string }).description).toHaveLength(140);
    expect(received[1].url).toBe(`/repos/acme/shop/statuses/${sha}`);
  });

  it('posts a GitLab status to /projects/:id/statuses/:sha with the URL-encoded path and PRIVATE-TOKEN', async () => {
    const result = await notifier().notify(
      status({ provider: 'gitlab', repository: 'git@gitlab.com:group/sub/repo.git', state: 'failure', ref: 'feature' }),
    );
    expect(result.outcome).toBe('sent');
    const [req] = received;
    expect(req.url).toBe(`/api/v4/projects/group%2Fsub%2Frepo/statuses/${sha}`);
    expect(req.headers['private-token']).toBe(gitlabToken);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({
      state: 'failed',
      name: 'baton/catalog',
      target_url: 'http://pr-7.localhost:7080/',
      description: 'Preview is healthy',
      ref: 'feature',
    });
    await notifier().notify(status({ provider: 'gitlab', repository: 'group/repo', state: 'running' }));
    expect((received[1].body as { state: string }).state).toBe('running');
  });

  it('retries a 502 and then succeeds', async () => {
    script = [502, 502];
    const result = await notifier().notify(status());
    expect(result).toEqual({ outcome: 'sent', attempts: 3, status: 201 });
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.url === received[0].url)).toBe(true);
  });

  it('gives up after the configured retries and reports, without throwing', async () => {
    script = [502, 502, 502];
    const warnings: Array<{ obj: object; msg: string }> = [];
    const result = await notifier({ retries: 2, logger: { warn: (obj, msg) => warnings.push({ obj, msg }) } }).notify(status());
    expect(result).toMatchObject({ outcome: 'failed', attempts: 3, status: 502 });
    expect(received).toHaveLength(3);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain(githubToken);
  });

  it('does not retry a 422 and says why', async () => {
    script = [422];
    const result = await notifier().notify(status());
    expect(result).toMatchObject({ outcome: 'failed', attempts: 1, status: 422 });
    expect(result.message).toMatch(/No commit found for SHA/);
    expect(received).toHaveLength(1);
  });

  it('retries network errors', async () => {
    // A port nobody listens on: a closed server's.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await notifier({ githubApiUrl: deadUrl, retries: 2 }).notify(status());
    expect(result).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(result.message).toMatch(/ECONNREFUSED/);
  });

  it('sends nothing without a token for the provider', async () => {
    const none = new CommitStatusNotifier({ githubApiUrl: apiUrl, gitlabApiUrl: apiUrl });
    expect(await none.notify(status())).toEqual({ outcome: 'skipped', attempts: 0 });
    expect(await none.notify(status({ provider: 'gitlab', repository: 'group/repo' }))).toEqual({ outcome: 'skipped', attempts: 0 });
    const onlyGitlab = CommitStatusNotifier.fromEnv({ BATON_GITLAB_TOKEN: gitlabToken, BATON_GITHUB_API_URL: apiUrl, BATON_GITLAB_API_URL: apiUrl });
    expect(onlyGitlab.enabled('github')).toBe(false);
    expect(await onlyGitlab.notify(status())).toMatchObject({ outcome: 'skipped' });
    expect(await onlyGitlab.notify(status({ provider: 'gitlab', repository: 'group/repo' }))).toMatchObject({ outcome: 'sent' });
    expect(received).toHaveLength(1);
  });

  it('refuses a malformed status before sending anything', async () => {
    await expect(notifier().notify(status({ sha: 'abc123' }))).rejects.toThrow(NotifyError);
    await expect(notifier().notify(status({ repository: './local/repo' }))).rejects.toThrow(/local path/);
    await expect(notifier().notify(status({ repository: 'https://x:secret@github.com/' }))).rejects.toThrow(/does not name owner\/repo/);
    await expect(notifier().notify(status({ repository: 'https://x:secret@github.com/' }))).rejects.not.toThrow(/secret/);
    expect(received).toHaveLength(0);
  });
});
