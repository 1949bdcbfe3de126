import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { configMap, expectStatus } from './helpers.js';
import { WatchHub } from '../../runtime/store/watch-hub.js';

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

// Events older than 3 s keep only their objects' JSON text, deflated: a busy window held each superseded
// version three times (the stored object, its JSON, the watchers' shared copy).
describe('watch window, compacted', () => {
  let cluster: LocalCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    vi.useRealTimers();
  });

  const cm = (name: string, labels: Record<string, string>, data: Record<string, string>) => configMap(name, { labels }, data);

  it('keeps events older than 3 s as deflated text, and replays them with the same objects', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const hub = new WatchHub({ startRv: 0, bookmarkIntervalMs: 0 });
    const v1 = { ...cm('a', { app: 'web' }, { k: '1' }), metadata: { ...cm('a', { app: 'web' }, {}).metadata, resourceVersion: '1' } };
    // Text beyond ASCII: the deflated bytes are UTF-8, the split between the two versions is in characters.
    const v2 = { ...v1, data: { k: '2 – grüße 😀' }, metadata: { ...v1.metadata, resourceVersion: '2' } };
    hub.publish({ rv: 1, typeKey: '/configmaps', type: 'ADDED', object: v1 });
    hub.publish({ rv: 2, typeKey: '/configmaps', type: 'MODIFIED', object: v2, previous: v1 });
    expect(hub.eventsAfter(0)![1].object).toBe(v2);

    vi.setSystemTime(Date.now() + 4_000);
    const v3 = { ...v2, data: { k: '3 ✓' }, metadata: { ...v2.metadata, resourceVersion: '3' } };
    hub.publish({ rv: 3, typeKey: '/configmaps', type: 'MODIFIED', object: v3, previous: v2 });
    const [first, second, third] = hub.eventsAfter(0)!;
    // Compacted: a parsed copy, equal to what was published.
    expect(second.object).not.toBe(v2);
    expect(second.object).toEqual(v2);
    expect(second.previous).toEqual(v1);
    expect(first.object).toEqual(v1);
    expect(first.previous).toBeUndefined();
    // Newer than 3 s: still the published objects.
    expect(third.object).toBe(v3);
    hub.close();
  });

  it('replays selector exits and entries, and rewinds continued lists, from compacted events', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    cluster = await openLocalCluster({ bookmarkIntervalMs: 0 });
    const from = cluster.currentResourceVersion();
    const a = await cluster.create(resources.configmaps, cm('a', { app: 'api' }, { v: 'api' }));
    const moved = await cluster.update(resources.configmaps, { ...a, data: { v: 'web' }, metadata: { ...a.metadata, labels: { app: 'web' } } });
    await cluster.update(resources.configmaps, { ...moved, data: { v: 'db' }, metadata: { ...moved.metadata, labels: { app: 'db' } } });
    await cluster.create(resources.configmaps, cm('b', { app: 'web' }, { v: 'b1' }));
    await cluster.create(resources.configmaps, cm('c', {}, { v: 'c1' }));
    const firstPage = await cluster.list(resources.configmaps, { namespace: 'default', limit: 1 });
    expect(firstPage.items.map((o) => o.metadata.name)).toEqual(['a']);
    const b = await cluster.get(resources.configmaps, 'default', 'b');
    await cluster.update(resources.configmaps, { ...b, data: { v: 'b2' } });
    await cluster.delete(resources.configmaps, 'default', 'c');

    vi.setSystemTime(Date.now() + 4_000);
    await cluster.create(resources.configmaps, cm('later', {}, {}));

    const seen: string[] = [];
    (await cluster.watch(resources.configmaps, { resourceVersion: from, labelSelector: 'app=web' }, (e) => seen.push(`${e.type} ${e.object.metadata.name} ${(e.object.data as Record<string, string> | undefined)?.v}`)))();
    expect(seen).toEqual(['ADDED a web', 'DELETED a db', 'ADDED b b1', 'MODIFIED b b2']);

    // The rest of the list as it was at the first page's resourceVersion.
    const rest = await cluster.list(resources.configmaps, { namespace: 'default', continue: firstPage.continue });
    expect(rest.items.map((o) => `${o.metadata.name} ${(o.data as Record<string, string> | undefined)?.v}`)).toEqual(['b b1', 'c c1']);
  });
});
