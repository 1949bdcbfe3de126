import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { openLocalCluster } from '../../../../runtime/store/local-cluster.js';
import { resources } from '../../../../runtime/resources/registry.js';
import { compareKeys, decodeContinue, encodeContinue, objectsAt, pageOf } from '../../../../runtime/store/list-pages.js';
import type { StoreEvent } from '../../../../runtime/store/watch-hub.js';

const cm = (ns: string, name: string, v = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns, name }, data: { v } });

describe('continue tokens', () => {
  it('round-trip in Kubernetes shape (base64url JSON with v, rv and a NUL-terminated start key)', () => {
    const token = encodeContinue({ rv: 42, start: 'ns/b' });
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 42, start: 'ns/b\u0000' });
    expect(decodeContinue(token)).toEqual({ rv: 42, start: 'ns/b' });
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['an unknown version', Buffer.from(JSON.stringify({ v: 'x', rv: 1, start: 'a' })).toString('base64url')],
    ['no start key', Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: '' })).toString('base64url')],
  ])('refuses %s with 400', (_what, token) => {
    expect(() => decodeContinue(token)).toThrow(expect.objectContaining({ code: 400, message: expect.stringMatching(/^continue key is not valid/) }));
  });
});

describe('pages', () => {
  it('orders by namespace then name, as the store lists', () => {
    expect(['a/x', 'a-b/y', 'b/a'].sort(compareKeys)).toEqual(['a/x', 'a-b/y', 'b/a']);
  });

  it('cuts after `limit` items with a token and the remaining count, and the last page has neither', () => {
    const items = ['a', 'b', 'c', 'd', 'e'].map((n) => cm('ns', n));
    const first = pageOf(items, undefined, 2, 7, true);
    expect(first.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(first.remainingItemCount).toBe(3);
    const second = pageOf(items, decodeContinue(first.continue!).start, 2, 7, true);
    expect(second.items.map((o) => o.metadata.name)).toEqual(['c', 'd']);
    const last = pageOf(items, decodeContinue(second.continue!).start, 2, 7, true);
    expect(last).toEqual({ items: [items[4]] });
  });

  it('rewinds changes made after the first page: added objects leave, changed and deleted ones come back as they were', () => {
    const before = cm('ns', 'b', 'old');
    const events: StoreEvent[] = [
      { rv: 11, typeKey: '/configmaps', type: 'ADDED', object: cm('ns', 'c') },
      { rv: 12, typeKey: '/configmaps', type: 'MODIFIED', object: cm('ns', 'b', 'new'), previous: before },
      { rv: 13, typeKey: '/configmaps', type: 'DELETED', object: cm('ns', 'a'), previous: cm('ns', 'a') },
      { rv: 14, typeKey: '/secrets', type: 'ADDED', object: cm('ns', 'z') },
    ];
    const now = [cm('ns', 'b', 'new'), cm('ns', 'c')];
    expect(objectsAt(now, events, '/configmaps').map((o) => [o.metadata.name, (o.data as Record<string, string>).v])).toEqual([
      ['a', '1'],
      ['b', 'old'],
    ]);
  });
});

describe('LocalCluster.list with limit and continue', () => {
  it('serves the next page as the list was at the first page, and 410 Expired with a fresh token once that is out of the window', async () => {
    const cluster = await openLocalCluster({ watchWindow: 2, bookmarkIntervalMs: 0 });
    try {
      await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
      for (const n of ['a', 'b', 'c']) await cluster.create(resources.configmaps, cm('ns', n));
      const first = await cluster.list(resources.configmaps, { namespace: 'ns', limit: 2 });
      expect(first.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
      await cluster.delete(resources.configmaps, 'ns', 'c');
      const second = await cluster.list(resources.configmaps, { namespace: 'ns', limit: 2, continue: first.continue });
      expect(second.items.map((o) => o.metadata.name)).toEqual(['c']);
      expect(second.resourceVersion).toBe(first.resourceVersion);
      for (const n of ['d', 'e', 'f', 'g']) await cluster.create(resources.configmaps, cm('ns', n));
      const expired = await cluster.list(resources.configmaps, { namespace: 'ns', limit: 2, continue: first.continue }).catch((e) => e);
      expect(expired).toMatchObject({ code: 410, reason: 'Expired', message: expect.stringContaining('The provided continue parameter is too old') });
      const latest = await cluster.list(resources.configmaps, { namespace: 'ns', continue: expired.listMeta.continue });
      expect(latest.items.map((o) => o.metadata.name)).toEqual(['d', 'e', 'f', 'g']);
    } finally {
      await cluster.close();
    }
  });
});
