import { describe, expect, it } from 'vitest';
import { openLocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import type { WatchEvent } from '../../runtime/kube/object.js';
import { configMap } from './helpers.js';

describe('watchers that only read', () => {
  it('share one copy of each version, while other watchers keep private copies', async () => {
    const cluster = await openLocalCluster({ bookmarkIntervalMs: 0 });
    try {
      const seen: Record<string, WatchEvent[]> = { a: [], b: [], own: [] };
      const from = cluster.currentResourceVersion();
      await cluster.watch(resources.configmaps, { resourceVersion: from, sharedObjects: true }, (e) => seen.a.push(e));
      await cluster.watch(resources.configmaps, { resourceVersion: from, sharedObjects: true }, (e) => seen.b.push(e));
      await cluster.watch(resources.configmaps, { resourceVersion: from }, (e) => seen.own.push(e));
      const created = await cluster.create(resources.configmaps, configMap('x', {}, { k: '1' }));
      await cluster.update(resources.configmaps, { ...created, data: { k: '2' } });

      expect(seen.a.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
      expect(seen.a.map((e) => e.object)).toEqual(seen.own.map((e) => e.object));
      for (const i of [0, 1]) {
        expect(seen.b[i].object).toBe(seen.a[i].object);
        expect(seen.own[i].object).not.toBe(seen.a[i].object);
      }
      // A watch started later from the snapshot gets the same shared copy of the current version.
      const late: WatchEvent[] = [];
      await cluster.watch(resources.configmaps, { sharedObjects: true }, (e) => late.push(e));
      expect(late.find((e) => e.object.metadata.name === 'x')?.object).toBe(seen.a[1].object);
    } finally {
      await cluster.close();
    }
  });
});

describe('a watch only for namespaces holding some type', () => {
  it('sees changes only where an object of that type is there when the change is delivered', async () => {
    const cluster = await openLocalCluster({ bookmarkIntervalMs: 0 });
    try {
      await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'limited' } });
      const seen: string[] = [];
      const from = cluster.currentResourceVersion();
      await cluster.watch(resources.configmaps, { resourceVersion: from, sharedObjects: true, onlyInNamespacesWith: resources.resourcequotas }, (e) =>
        seen.push(`${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`),
      );
      const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'limited' }, spec: { hard: { 'count/configmaps': '5' } } };
      await cluster.create(resources.configmaps, { ...configMap('before'), metadata: { name: 'before', namespace: 'limited' } });
      await cluster.create(resources.resourcequotas, quota);
      await cluster.create(resources.configmaps, { ...configMap('during'), metadata: { name: 'during', namespace: 'limited' } });
      await cluster.create(resources.configmaps, configMap('elsewhere'));
      await cluster.delete(resources.resourcequotas, 'limited', 'q');
      await cluster.create(resources.configmaps, { ...configMap('after'), metadata: { name: 'after', namespace: 'limited' } });
      expect(seen).toEqual(['ADDED limited/during']);
    } finally {
      await cluster.close();
    }
  });
});
