import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatonMetrics, type BatonMetrics } from '../../controller/observe/metrics/baton-metrics.js';
import { observeSourcePoller } from '../../controller/observe/metrics/observe-source-poller.js';
import { timeGitRequest } from '../../controller/observe/metrics/time-git-request.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { RepositorySource } from '../../controller/source/repository.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { createGitFixture, type GitFixture } from '../source/git-fixture.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { sampleValue } from './parse-exposition.js';
import { serveMetrics } from './serve-metrics.js';
import { waitFor } from '../support/wait.js';

let fx: GitFixture;
let git: GitHttpServer;
let poller: SourcePoller;
let metrics: BatonMetrics;
let server: Awaited<ReturnType<typeof serveMetrics>>;

beforeAll(async () => {
  fx = await createGitFixture('shop');
  git = await startGitHttpServer({ root: fx.root });
  poller = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false, minBackoffMs: 3_600_000 });
  metrics = createBatonMetrics(undefined, { defaultMetrics: false });
  observeSourcePoller(metrics, poller);
  server = await serveMetrics(metrics);
});

afterAll(async () => {
  await poller?.close();
  await server?.close();
  await git?.close();
  await fx?.cleanup();
});

const scrapeUntil = (what: string, ok: (m: Awaited<ReturnType<typeof server.scrape>>) => boolean) =>
  waitFor(what, async () => {
    const m = await server.scrape();
    return ok(m) ? m : undefined;
  });

describe('source metrics from a real SourcePoller', () => {
  it('counts new revisions per repository and failed checks by error code', async () => {
    await fx.commit({ 'baton.yaml': 'apps: []\n' });
    const url = `${git.url}/shop.git`;
    const id = repoId(url);
    poller.add({ id, url, intervalSeconds: 3600 });
    await scrapeUntil('first revision', (m) => sampleValue(m, 'baton_source_revisions_total', { repo: id }) === 1);

    await fx.commit({ 'baton.yaml': 'apps: [] # 2\n' });
    await poller.refresh(id);
    await scrapeUntil('second revision', (m) => sampleValue(m, 'baton_source_revisions_total', { repo: id }) === 2);

    const missing = `${git.url}/missing.git`;
    poller.add({ id: repoId(missing), url: missing, intervalSeconds: 3600 });
    const m = await scrapeUntil('failed check', (s) => s.get('baton_source_errors_total')!.samples.some((x) => x.labels.repo === repoId(missing)));
    const failure = m.get('baton_source_errors_total')!.samples.find((x) => x.labels.repo === repoId(missing))!;
    expect(failure.value).toBe(1);
    expect(failure.labels.code).toMatch(/^[A-Z_]+$/);
  });

  it('times ref checks and fetches made through timeGitRequest', async () => {
    const url = `${git.url}/shop.git`;
    const source = new RepositorySource({ id: 'timed', url, intervalSeconds: 3600 }, { stateDir: fx.stateDir });
    const check = await timeGitRequest(metrics, 'timed', 'ls-remote', () => source.check());
    expect(check.moved).toBe(true);
    await timeGitRequest(metrics, 'timed', 'fetch', () => source.fetch());
    const bad = new RepositorySource({ id: 'gone', url: `${git.url}/gone.git`, intervalSeconds: 3600 }, { stateDir: fx.stateDir });
    await expect(timeGitRequest(metrics, 'gone', 'ls-remote', () => bad.check())).rejects.toThrow();

    const m = await server.scrape();
    expect(sampleValue(m, 'baton_git_request_total', { repo: 'timed', request_type: 'ls-remote' })).toBe(1);
    expect(sampleValue(m, 'baton_git_request_total', { repo: 'timed', request_type: 'fetch' })).toBe(1);
    expect(sampleValue(m, 'baton_git_request_duration_seconds_count', { repo: 'timed', request_type: 'fetch' })).toBe(1);
    expect(sampleValue(m, 'baton_git_request_failures_total', { repo: 'gone', request_type: 'ls-remote' })).toBe(1);
    expect(sampleValue(m, 'baton_git_request_failures_total', { repo: 'timed' })).toBeUndefined();
  });
});
