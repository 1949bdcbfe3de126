import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { configMap, expectStatus } from './helpers.js';

// Each event in the watch window holds a whole object version; with only a count bound (10000) a
// busy `baton up` (a rollout every few seconds) held tens of MB of old pods no watch would replay.
describe('watch window', () => {
  let cluster: LocalCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    vi.useRealTimers();
  });

  it('forgets events older than watchWindowMs beyond the newest 1000, so resuming from them is Gone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    cluster = await openLocalCluster({ watchWindowMs: 60_000, bookmarkIntervalMs: 0 });
    const first = await cluster.create(resources.configmaps, configMap('cm-0'));
    for (let i = 1; i < 1200; i++) await cluster.create(resources.configmaps, configMap(`cm-${i}`));
    const recent = Number(cluster.currentResourceVersion()) - 500;

    // Within the time window everything can still be replayed.
    const seen: string[] = [];
    (await cluster.watch(resources.configmaps, { resourceVersion: first.metadata.resourceVersion }, (e) => seen.push(e.object.metadata.name!)))();
    expect(seen.length).toBe(1199);

    vi.setSystemTime(Date.now() + 2 * 60_000);
    await cluster.create(resources.configmaps, configMap('later'));
    await expectStatus(cluster.watch(resources.configmaps, { resourceVersion: first.metadata.resourceVersion }, () => {}), 410, /^too old resource version/);
    const replayed: string[] = [];
    (await cluster.watch(resources.configmaps, { resourceVersion: String(recent) }, (e) => replayed.push(e.object.metadata.name!)))();
    expect(replayed.at(-1)).toBe('later');
    expect(replayed.length).toBe(501);
  });
});
