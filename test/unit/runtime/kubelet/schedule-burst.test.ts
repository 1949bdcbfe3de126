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
    const ctx = { cluster: slow, nodeName: 'n1', ownStatusWrites: new Map() } as unknown as KubeletContext;

    const waits = await Promise.all(pods.map((p) => schedulePod(ctx, p, node)));

    expect(waits.filter((w) => w === 0)).toHaveLength(2);
    const stored = (await store.list(resources.pods, { namespace: 'burst' })).items;
    expect(stored.filter((p) => p.spec.nodeName === 'n1')).toHaveLength(2);
    const refused = stored.find((p) => !p.spec.nodeName)!;
    expect(refused.status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
    expect(refused.status.conditions[0].message).toMatch(/Insufficient cpu/);
  });
});
