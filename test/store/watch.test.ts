import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import type { WatchEvent } from '../../runtime/kube/object.js';
import type { WatchOptions } from '../../runtime/objects/cluster.js';
import { configMap, expectStatus } from './helpers.js';

let cluster: LocalCluster;
const stops: Array<() => void> = [];
beforeEach(async () => {
  cluster = await openLocalCluster({ watchWindow: 50, bookmarkIntervalMs: 0 });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await cluster.close();
});

async function record(options: WatchOptions, type = resources.configmaps): Promise<string[]> {
  const seen: string[] = [];
  stops.push(await cluster.watch(type, options, (e: WatchEvent) => seen.push(`${e.type} ${e.object.metadata.name ?? ''}`.trim())));
  return seen;
}

describe('watch', () => {
  it('without a resourceVersion starts with ADDED for every current match, then live events', async () => {
    await cluster.create(resources.configmaps, configMap('a'));
    const seen = await record({});
    const b = await cluster.create(resources.configmaps, configMap('b'));
    await cluster.update(resources.configmaps, { ...b, data: { x: '1' } });
    await cluster.delete(resources.configmaps, 'default', 'a');
    expect(seen).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
  });

  it('from a resourceVersion replays exactly what came after it', async () => {
    await cluster.create(resources.configmaps, configMap('a'));
    const rv = (await cluster.list(resources.configmaps)).resourceVersion;
    await cluster.create(resources.configmaps, configMap('b'));
    await cluster.delete(resources.configmaps, 'default', 'a');
    const seen = await record({ resourceVersion: rv });
    await cluster.create(resources.configmaps, configMap('c'));
    expect(seen).toEqual(['ADDED b', 'DELETED a', 'ADDED c']);
  });

  it('is Gone for a resourceVersion older than the window', async () => {
    const rv = cluster.currentResourceVersion();
    for (let i = 0; i < 100; i++) await cluster.create(resources.configmaps, configMap(`m${i}`));
    const error = await expectStatus(cluster.watch(resources.configmaps, { resourceVersion: rv }, () => {}), 410, /^too old resource version: \d+ \(\d+\)$/);
    expect(error.reason).toBe('Expired');
  });

  it('resumes from any resourceVersion still inside the window', async () => {
    for (let i = 0; i < 100; i++) await cluster.create(resources.configmaps, configMap(`m${i}`));
    const latest = Number(cluster.currentResourceVersion());
    const from = latest - 50; // watchWindow is 50
    const seen = await record({ resourceVersion: String(from) });
    expect(seen).toHaveLength(50);
    expect(seen[49]).toBe('ADDED m99');
  });

  it('filters by namespace, labels and fields, turning selector exits into DELETED and entries into ADDED', async () => {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    const seen = await record({ namespace: 'default', labelSelector: 'app=web' });
    const byField = await record({ fieldSelector: 'metadata.name=a' });
    const a = await cluster.create(resources.configmaps, configMap('a', { labels: { app: 'api' } }));
    const moved = await cluster.update(resources.configmaps, { ...a, metadata: { ...a.metadata, labels: { app: 'web' } } });
    await cluster.update(resources.configmaps, { ...moved, metadata: { ...moved.metadata, labels: { app: 'db' } } });
    await cluster.create(resources.configmaps, configMap('b', { namespace: 'other', labels: { app: 'web' } }));
    expect(seen).toEqual(['ADDED a', 'DELETED a']);
    expect(byField).toEqual(['ADDED a', 'MODIFIED a', 'MODIFIED a']);
  });

  it('sends only its own type', async () => {
    const seen = await record({}, resources.secrets);
    await cluster.create(resources.configmaps, configMap('a'));
    await cluster.create(resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } });
    expect(seen).toEqual(['ADDED s']);
  });

  it('shows deletionTimestamp as MODIFIED and removal as DELETED', async () => {
    const seen = await record({});
    const a = await cluster.create(resources.configmaps, configMap('a', { finalizers: ['x/y'] }));
    await cluster.delete(resources.configmaps, 'default', 'a');
    await cluster.update(resources.configmaps, { ...a, metadata: { ...a.metadata, resourceVersion: undefined, finalizers: [] } });
    expect(seen).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
  });

  it('sends BOOKMARKs with the current resourceVersion only to watches that allow them', async () => {
    const events: WatchEvent[] = [];
    stops.push(await cluster.watch(resources.configmaps, { allowWatchBookmarks: true }, (e) => events.push(e)));
    const plain = await record({});
    await cluster.create(resources.configmaps, configMap('a'));
    cluster.bookmark();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[1].object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: cluster.currentResourceVersion() } });
    expect(plain).toEqual(['ADDED a']);
  });

  it('keeps order for every watcher when a watcher writes from its callback', async () => {
    const second: string[] = [];
    stops.push(
      await cluster.watch(resources.configmaps, {}, (e) => {
        if (e.type === 'ADDED' && e.object.metadata.name === 'a') void cluster.create(resources.configmaps, configMap('b'));
      }),
    );
    stops.push(await cluster.watch(resources.configmaps, {}, (e) => second.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`)));
    await cluster.create(resources.configmaps, configMap('a'));
    const rvs = second.map((s) => Number(s.split(' ')[2]));
    expect(second.map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual(['ADDED a', 'ADDED b']);
    expect(rvs[0]).toBeLessThan(rvs[1]);
  });

  it('stops delivering after the returned function is called', async () => {
    const seen: string[] = [];
    const stop = await cluster.watch(resources.configmaps, {}, (e) => seen.push(e.type));
    stop();
    await cluster.create(resources.configmaps, configMap('a'));
    expect(seen).toEqual([]);
  });

  it('gives each watcher its own copy', async () => {
    stops.push(await cluster.watch(resources.configmaps, {}, (e) => { e.object.data = { mutated: 'yes' }; }));
    await cluster.create(resources.configmaps, configMap('a', {}, { k: 'v' }));
    expect((await cluster.get(resources.configmaps, 'default', 'a')).data).toEqual({ k: 'v' });
  });
});
