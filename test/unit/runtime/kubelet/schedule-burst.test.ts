import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import type { KubeletContext } from '../../../../runtime/kubelet/kubelet-context.js';
import { schedulePod, type NodeResources } from '../../../../runtime/kubelet/scheduler.js';
import { resources } from '../../../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../../../runtime/store/index.js';

let cluster: LocalCluster | undefined;
afterEach(async () => cluster?.close());

const node: NodeResources = { cpuMillis: 1000, memoryBytes: 2 ** 30, pods: 110, labels: {} };

describe('scheduling a burst of pods', () => {
  it('never overcommits the node, though bindings are written in parallel and slowly', async () => {
    cluster = await openLocalCluster();
    const store = cluster;
    await store.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'burst' } });
    const pods: KubeObject[] = [];
    for (let i = 0; i < 3; i++) {
      pods.push(await store.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p${i}`, namespace: 'burst' },
        spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '400m' } } }] },
      }));
    }
    // Every write takes a while: all three decisions are made before the first binding is stored.
    const slow = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'update') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return (value as (...a: unknown[]) => Promise<KubeObject>).apply(target, args);
        };
      },
    });
    const ctx = { cluster: slow, nodeName: 'n1', ownStatusWrites: new Map(), stopping: () => false } as unknown as KubeletContext;

    const waits = await Promise.all(pods.map((p) => schedulePod(ctx, p, node)));

    expect(waits.filter((w) => typeof w === 'object')).toHaveLength(2);
    const stored = (await store.list(resources.pods, { namespace: 'burst' })).items;
    expect(stored.filter((p) => p.spec.nodeName === 'n1')).toHaveLength(2);
    const refused = stored.find((p) => !p.spec.nodeName)!;
    expect(refused.status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
    expect(refused.status.conditions[0].message).toMatch(/Insufficient cpu/);
  });

  it('stops counting a pod whose binding failed, and never counts a pod against itself', async () => {
    cluster = await openLocalCluster();
    const store = cluster;
    await store.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'undo' } });
    const make = (name: string) => store.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'undo' },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '600m' } } }] },
    });
    const [first, second] = [await make('first'), await make('second')];
    let failNext = true;
    const flaky = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'update') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (failNext) {
            failNext = false;
            throw new Error('the store refused the binding');
          }
          return (value as (...a: unknown[]) => Promise<KubeObject>).apply(target, args);
        };
      },
    });
    const ctx = { cluster: flaky, nodeName: 'n2', ownStatusWrites: new Map(), stopping: () => false } as unknown as KubeletContext;

    await expect(schedulePod(ctx, first, node)).rejects.toThrow('refused');
    // 600m of 1000m: it fits only if the failed binding no longer holds its share.
    expect(await schedulePod(ctx, second, node)).toMatchObject({ spec: { nodeName: 'n2' } });
    // Decided again while bound: its own share is not counted against it.
    const bound = await store.get(resources.pods, 'undo', 'second');
    expect(await schedulePod(ctx, bound, node)).toMatchObject({ spec: { nodeName: 'n2' } });
    expect(await schedulePod(ctx, first, node)).toBe(10_000);
  });

  it('gives back what a pod used as soon as it finishes or goes', async () => {
    cluster = await openLocalCluster();
    const store = cluster;
    await store.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'churn' } });
    const make = (name: string) => store.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'churn' },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '600m' } } }] },
    });
    const ctx = { cluster: store, nodeName: 'n3', ownStatusWrites: new Map(), stopping: () => false } as unknown as KubeletContext;
    const [a, b, c] = [await make('a'), await make('b'), await make('c')];
    expect(await schedulePod(ctx, a, node)).toMatchObject({ spec: { nodeName: 'n3' } });
    expect(await schedulePod(ctx, b, node)).toBe(10_000);

    const done = await store.get(resources.pods, 'churn', 'a');
    done.status = { ...done.status, phase: 'Succeeded' };
    await store.update(resources.pods, done, { status: true });
    expect(await schedulePod(ctx, await store.get(resources.pods, 'churn', 'b'), node)).toMatchObject({ spec: { nodeName: 'n3' } });

    await store.delete(resources.pods, 'churn', 'b', { gracePeriodSeconds: 0 });
    expect(await schedulePod(ctx, c, node)).toMatchObject({ spec: { nodeName: 'n3' } });
  });

  it('binds in one write that shows the node and PodScheduled together, as pods/binding does', async () => {
    cluster = await openLocalCluster();
    const store = cluster;
    await store.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bind' } });
    const pod = await store.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'bind' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const seen: KubeObject[] = [];
    const stop = await store.watch(resources.pods, { namespace: 'bind', resourceVersion: pod.metadata.resourceVersion }, (e) => seen.push(e.object));
    const ctx = { cluster: store, nodeName: 'n4', ownStatusWrites: new Map(), stopping: () => false } as unknown as KubeletContext;

    const bound = await schedulePod(ctx, pod, node);
    await store.get(resources.pods, 'bind', 'p');
    stop();

    expect(seen).toHaveLength(1);
    expect(seen[0].spec.nodeName).toBe('n4');
    expect(seen[0].status).toMatchObject({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] });
    expect(bound).toMatchObject({ metadata: { resourceVersion: seen[0].metadata.resourceVersion }, spec: { nodeName: 'n4' } });
  });
});
