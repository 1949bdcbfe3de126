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

  it('finds objects by their controller, and orphans by namespace, as they are adopted, deleted and released', () => {
    const cache = new ObjectCache();
    const ref = (uid: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller: true }] });
    const names = (objects: KubeObject[]) => objects.map((p) => p.metadata.name).sort();
    cache.put(pod('a', 1, 'uid-a', ref('rs-1')));
    cache.put(pod('b', 1));
    cache.put(pod('c', 1, 'uid-c', ref('rs-2')));
    expect(names(cache.controlledBy('rs-1'))).toEqual(['a']);
    expect(names(cache.orphansIn('ns'))).toEqual(['b']);

    cache.apply({ type: 'MODIFIED', object: pod('b', 2, 'uid-b', ref('rs-1')) });
    expect(names(cache.controlledBy('rs-1'))).toEqual(['a', 'b']);
    expect(cache.orphansIn('ns')).toEqual([]);

    cache.markDeleting(pod('a', 1, 'uid-a', ref('rs-1')));
    expect(cache.controlledBy('rs-1').find((p) => p.metadata.name === 'a')?.metadata.deletionTimestamp).toBeTruthy();
    cache.apply({ type: 'DELETED', object: pod('a', 3, 'uid-a', ref('rs-1')) });
    cache.apply({ type: 'MODIFIED', object: pod('c', 2) });
    expect(names(cache.controlledBy('rs-1'))).toEqual(['b']);
    expect(cache.controlledBy('rs-2')).toEqual([]);
    expect(names(cache.orphansIn('ns'))).toEqual(['c']);

    cache.replaceAll([pod('d', 4, 'uid-d', ref('rs-2'))]);
    expect(cache.controlledBy('rs-1')).toEqual([]);
    expect(names(cache.controlledBy('rs-2'))).toEqual(['d']);
    expect(cache.orphansIn('ns')).toEqual([]);
  });
});
