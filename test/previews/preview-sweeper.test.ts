import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { PreviewController } from '../../controller/previews/preview-controller.js';
import { PreviewStore } from '../../controller/previews/preview-store.js';
import type { PreviewRecord } from '../../controller/previews/preview-record.js';
import { SourcePoller } from '../../controller/source/source-poller.js';
import { StateStore } from '../../controller/state/state-store.js';
import { SyncRegistry } from '../../controller/state/sync-registry.js';
import { startHarness, type Harness } from '../apply/apply-harness.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

// The sweeper against a real runtime and a real Redis: idle previews past the TTL, previews over
// the cap (longest idle first) and preview namespaces no open request owns are removed.

const DAY = 24 * 3600 * 1000;
let redis: TestRedis;
let harness: Harness;
let store: PreviewStore;
let state: StateStore;
let queue: SyncQueue;
let registry: SyncRegistry;
let poller: SourcePoller;
let previews: PreviewController;
const lines: string[] = [];

function record(number: number, idleDays: number): PreviewRecord {
  const at = new Date(Date.now() - idleDays * DAY).toISOString();
  return {
    number,
    repository: 'repo',
    provider: 'github',
    title: `request ${number}`,
    author: 'octocat',
    branch: `b${number}`,
    headFetchRef: `refs/pull/${number}/head`,
    headSha: 'a'.repeat(40),
    requestUrl: `https://github.com/acme/shop/pull/${number}`,
    fromFork: false,
    labels: [],
    apps: [`pr-${number}.web`],
    openedAt: at,
    updatedAt: at,
  };
}

async function namespaces(): Promise<string[]> {
  const list = await harness.target.core.listNamespace({ labelSelector: 'baton.dev/preview' });
  return list.items.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata!.name!).sort();
}

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startHarness();
  store = new PreviewStore(redis.url);
  state = new StateStore({ redisUrl: redis.url });
  queue = new SyncQueue({ redisUrl: redis.url });
  registry = new SyncRegistry(redis.url);
  poller = new SourcePoller({ stateDir: harness.dir });
  previews = new PreviewController({
    store,
    state,
    queue,
    registry,
    poller,
    clusters: { get: () => harness.target } as never,
    ttlMs: 7 * DAY,
    maxPreviews: 3,
    log: (line) => lines.push(line),
  });
}, 60_000);

afterAll(async () => {
  await poller?.close();
  await Promise.all([store?.close(), state?.close(), queue?.close(), registry?.close()]);
  await harness?.close();
  await redis?.cleanup();
}, 60_000);

describe('the preview sweeper', () => {
  it('removes previews idle past the TTL, then the longest idle over the cap, then orphaned namespaces', async () => {
    // 1: idle 8 days (past the TTL). 2..6: five recent ones, cap 3 → 2 and 3 (longest idle) go. 9: an orphan namespace.
    const records = [record(1, 8), record(2, 5), record(3, 4), record(4, 3), record(5, 2), record(6, 1)];
    for (const r of records) {
      await store.put(r);
      await state.ensureApp({ name: r.apps[0], namespace: `pr-${r.number}`, cluster: 'local' });
      await harness.target.core.createNamespace({ body: { metadata: { name: `pr-${r.number}`, labels: { 'baton.dev/preview': String(r.number) } } } });
    }
    await harness.target.core.createNamespace({ body: { metadata: { name: 'pr-9', labels: { 'baton.dev/preview': '9' } } } });
    // A namespace that merely looks like a preview's is not baton's to delete.
    await harness.target.core.createNamespace({ body: { metadata: { name: 'pr-10' } } });

    const removed = await previews.sweep();
    expect(removed.sort((a, b) => a - b)).toEqual([1, 2, 3, 9]);
    expect((await store.list()).map((r) => r.number)).toEqual([4, 5, 6]);
    expect(await state.getApp('pr-1.web')).toBeUndefined();
    expect(await state.getApp('pr-4.web')).toBeDefined();
    expect(await namespaces()).toEqual(['pr-4', 'pr-5', 'pr-6']);
    expect((await harness.target.core.readNamespace({ name: 'pr-10' })).metadata?.name).toBe('pr-10');
    expect(lines.join('\n')).toMatch(/#1: preview removed \(idle since/);
    expect(lines.join('\n')).toMatch(/#2: preview removed \(more than 3 previews are open\)/);

    // A second sweep finds nothing to do.
    expect(await previews.sweep()).toEqual([]);
  });
});
