import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { configMap, deployment, expectStatus, ownedBy } from './helpers.js';

let cluster: LocalCluster;
beforeEach(async () => {
  cluster = await openLocalCluster({});
});
afterEach(async () => {
  await cluster.close();
});

const exists = async (type: typeof resources.configmaps, name: string, namespace = 'default') =>
  cluster.get(type, namespace, name).then(() => true, () => false);

function pod(name: string, spec: Record<string, unknown> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } };
}

describe('delete', () => {
  it('removes an object and returns it', async () => {
    const cm = await cluster.create(resources.configmaps, configMap('a'));
    const deleted = await cluster.delete(resources.configmaps, 'default', 'a');
    expect(deleted.metadata.uid).toBe(cm.metadata.uid);
    expect(await exists(resources.configmaps, 'a')).toBe(false);
    await expectStatus(cluster.delete(resources.configmaps, 'default', 'a'), 404, 'configmaps "a" not found');
  });

  it.each([
    ['uid', { uid: 'nope' }, /Precondition failed: UID in precondition: nope/],
    ['resourceVersion', { resourceVersion: '1' }, /Precondition failed: ResourceVersion in precondition: 1/],
  ])('checks the %s precondition', async (_what, preconditions, message) => {
    await cluster.create(resources.configmaps, configMap('a'));
    await expectStatus(cluster.delete(resources.configmaps, 'default', 'a', { preconditions }), 409, message);
    expect(await exists(resources.configmaps, 'a')).toBe(true);
  });

  it('keeps an object with finalizers until an update empties them', async () => {
    await cluster.create(resources.configmaps, configMap('a', { finalizers: ['example.com/hold'] }));
    const marked = await cluster.delete(resources.configmaps, 'default', 'a');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(await exists(resources.configmaps, 'a')).toBe(true);
    await expectStatus(
      cluster.update(resources.configmaps, { ...marked, metadata: { ...marked.metadata, finalizers: ['example.com/hold', 'x/new'] } }),
      422,
      /no new finalizers can be added/,
    );
    await cluster.update(resources.configmaps, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    expect(await exists(resources.configmaps, 'a')).toBe(false);
  });

  it.each([
    ['an unscheduled pod goes at once', {}, {}, undefined],
    ['a scheduled pod waits 30 s by default', { nodeName: 'local' }, {}, 30],
    ['a scheduled pod waits its terminationGracePeriodSeconds', { nodeName: 'local', terminationGracePeriodSeconds: 5 }, {}, 5],
    ['the delete option wins', { nodeName: 'local', terminationGracePeriodSeconds: 5 }, { gracePeriodSeconds: 2 }, 2],
    ['a zero grace period removes at once', { nodeName: 'local' }, { gracePeriodSeconds: 0 }, undefined],
  ])('%s', async (_what, spec, options, grace) => {
    await cluster.create(resources.pods, pod('p', spec));
    const result = await cluster.delete(resources.pods, 'default', 'p', options);
    if (grace === undefined) {
      expect(await exists(resources.pods, 'p')).toBe(false);
      return;
    }
    expect(result.metadata.deletionGracePeriodSeconds).toBe(grace);
    const at = Date.parse(result.metadata.deletionTimestamp!);
    expect(at).toBeGreaterThan(Date.now() + (grace - 2) * 1000);
    expect(await exists(resources.pods, 'p')).toBe(true);
    // The kubelet finishes the deletion once the containers stopped.
    await cluster.delete(resources.pods, 'default', 'p', { gracePeriodSeconds: 0 });
    expect(await exists(resources.pods, 'p')).toBe(false);
  });

  it('bumps generation when deletion starts', async () => {
    await cluster.create(resources.deployments, deployment('d', 1, { finalizers: ['x/y'] }));
    expect((await cluster.delete(resources.deployments, 'default', 'd')).metadata.generation).toBe(2);
  });
});

describe('owner references', () => {
  async function family() {
    const owner = await cluster.create(resources.deployments, deployment('d'));
    const rs = await cluster.create(resources.replicasets, { ...deployment('d-1'), kind: 'ReplicaSet', metadata: { name: 'd-1', namespace: 'default', ...ownedBy(owner) } });
    const p = await cluster.create(resources.pods, pod('d-1-a', {}, ownedBy(rs)));
    return { owner, rs, pod: p };
  }

  it('Background removes the owner now and the dependents after it, recursively', async () => {
    await family();
    await cluster.delete(resources.deployments, 'default', 'd');
    expect(await exists(resources.deployments, 'd')).toBe(false);
    await cluster.idle();
    expect(await exists(resources.replicasets, 'd-1')).toBe(false);
    expect(await exists(resources.pods, 'd-1-a')).toBe(false);
  });

  it('Foreground keeps the owner with a foregroundDeletion finalizer until the dependents are gone', async () => {
    await family();
    const marked = await cluster.delete(resources.deployments, 'default', 'd', { propagationPolicy: 'Foreground' });
    expect(marked.metadata.finalizers).toContain('foregroundDeletion');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    await cluster.idle();
    expect(await exists(resources.pods, 'd-1-a')).toBe(false);
    expect(await exists(resources.replicasets, 'd-1')).toBe(false);
    expect(await exists(resources.deployments, 'd')).toBe(false);
  });

  it('Foreground waits for a dependent that stops gracefully', async () => {
    const owner = await cluster.create(resources.replicasets, { ...deployment('rs'), kind: 'ReplicaSet' });
    await cluster.create(resources.pods, pod('p', { nodeName: 'local' }, ownedBy(owner)));
    await cluster.delete(resources.replicasets, 'default', 'rs', { propagationPolicy: 'Foreground' });
    await cluster.idle();
    expect((await cluster.get(resources.pods, 'default', 'p')).metadata.deletionTimestamp).toBeDefined();
    expect(await exists(resources.replicasets, 'rs')).toBe(true);
    await cluster.delete(resources.pods, 'default', 'p', { gracePeriodSeconds: 0 });
    await cluster.idle();
    expect(await exists(resources.replicasets, 'rs')).toBe(false);
  });

  it('Orphan removes the owner and the reference, keeping the dependents', async () => {
    const { rs } = await family();
    await cluster.delete(resources.deployments, 'default', 'd', { propagationPolicy: 'Orphan' });
    await cluster.idle();
    const kept = await cluster.get(resources.replicasets, 'default', 'd-1');
    expect(kept.metadata.ownerReferences).toBeUndefined();
    expect(await exists(resources.pods, 'd-1-a')).toBe(true);
    expect((await cluster.get(resources.pods, 'default', 'd-1-a')).metadata.ownerReferences?.[0].uid).toBe(rs.metadata.uid);
  });

  it('drops only the dangling reference when another owner remains', async () => {
    const a = await cluster.create(resources.configmaps, configMap('a'));
    const b = await cluster.create(resources.configmaps, configMap('b'));
    await cluster.create(resources.configmaps, configMap('child', { ownerReferences: [...ownedBy(a).ownerReferences!, ...ownedBy(b, false).ownerReferences!] }));
    await cluster.delete(resources.configmaps, 'default', 'a');
    await cluster.idle();
    const child = await cluster.get(resources.configmaps, 'default', 'child');
    expect(child.metadata.ownerReferences?.map((r) => r.name)).toEqual(['b']);
  });

  it('never collects an object whose owner is of a kind this runtime does not serve', async () => {
    await cluster.create(resources.configmaps, configMap('cr-child', { ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w-uid' }] }));
    await cluster.idle();
    expect(await exists(resources.configmaps, 'cr-child')).toBe(true);
  });

  it('collects an object created with an owner that does not exist', async () => {
    await cluster.create(resources.configmaps, configMap('stray', ownedBy({ ...configMap('gone'), metadata: { name: 'gone', uid: 'no-such-uid' } })));
    await cluster.idle();
    expect(await exists(resources.configmaps, 'stray')).toBe(false);
  });
});

describe('namespaces', () => {
  it('Terminating empties the namespace, then removes it', async () => {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await cluster.create(resources.configmaps, configMap('a', { namespace: 'shop' }));
    await cluster.create(resources.pods, pod('p', { nodeName: 'local' }, { namespace: 'shop' }));
    const terminating = await cluster.delete(resources.namespaces, undefined, 'shop');
    expect(terminating.status.phase).toBe('Terminating');
    expect(terminating.metadata.deletionTimestamp).toBeDefined();
    await cluster.idle();
    expect(await exists(resources.configmaps, 'a', 'shop')).toBe(false);
    // The running pod stops gracefully; the namespace waits for it.
    expect((await cluster.get(resources.namespaces, undefined, 'shop')).status.phase).toBe('Terminating');
    await cluster.delete(resources.pods, 'shop', 'p', { gracePeriodSeconds: 0 });
    await cluster.idle();
    await expectStatus(cluster.get(resources.namespaces, undefined, 'shop'), 404, 'namespaces "shop" not found');
  });

  it('keeps an emptied namespace while another finalizer holds it', async () => {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held', finalizers: ['x/hold'] } });
    await cluster.delete(resources.namespaces, undefined, 'held');
    await cluster.idle();
    const held = await cluster.get(resources.namespaces, undefined, 'held');
    expect(held.spec.finalizers).toEqual([]);
    await cluster.update(resources.namespaces, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    await expectStatus(cluster.get(resources.namespaces, undefined, 'held'), 404);
  });

  it.each(['default', 'kube-system', 'kube-public'])('refuses to delete %s', async (name) => {
    await expectStatus(cluster.delete(resources.namespaces, undefined, name), 403, `namespaces "${name}" is forbidden: this namespace may not be deleted`);
  });
});

describe('events', () => {
  it('expire after the TTL, counted from their last write or occurrence', async () => {
    const event = (name: string, lastTimestamp: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Test',
      message: 'm',
      type: 'Normal',
      lastTimestamp,
    });
    const now = Date.now();
    await cluster.create(resources.events, event('recent', new Date(now + 2 * 3600_000).toISOString()));
    await cluster.create(resources.events, event('old', new Date(now - 2 * 3600_000).toISOString()));
    expect(cluster.expireEvents(now)).toBe(0);
    expect(cluster.expireEvents(now + 2 * 3600_000)).toBe(1);
    expect((await cluster.list(resources.events)).items.map((e) => e.metadata.name)).toEqual(['recent']);
  });
});
