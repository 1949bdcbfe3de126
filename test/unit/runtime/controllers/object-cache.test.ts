import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { ObjectCache } from '../../../../runtime/controllers/object-cache.js';

function pod(name: string, rv: number, uid = `uid-${name}`, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid, resourceVersion: String(rv), ...extra } };
}

describe('ObjectCache', () => {
  it('keeps the newest version, whichever arrives first: a write-through or its event', () => {
    const cache = new ObjectCache();
    cache.put(pod('a', 5));
    cache.apply({ type: 'MODIFIED', object: pod('a', 4) });
    expect(cache.list('ns').map((p) => p.metadata.resourceVersion)).toEqual(['5']);
    cache.apply({ type: 'MODIFIED', object: pod('a', 6) });
    expect(cache.list('ns').map((p) => p.metadata.resourceVersion)).toEqual(['6']);
  });

  it('never resurrects a deleted uid, but a new pod of the same name is a different object', () => {
    const cache = new ObjectCache();
    cache.apply({ type: 'DELETED', object: pod('a', 7) });
    cache.put(pod('a', 5));
    expect(cache.list('ns')).toEqual([]);
    cache.put(pod('a', 9, 'uid-new'));
    expect(cache.list('ns').map((p) => p.metadata.uid)).toEqual(['uid-new']);
  });

  it('reads a pod we asked to delete as terminating until its events catch up', () => {
    const cache = new ObjectCache();
    cache.put(pod('a', 1));
    cache.markDeleting(pod('a', 1));
    expect(cache.list('ns')[0].metadata.deletionTimestamp).toBeTruthy();
    cache.replaceAll([pod('b', 3)]);
    expect(cache.list('ns').map((p) => p.metadata.name)).toEqual(['b']);
  });
});
