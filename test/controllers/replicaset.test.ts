import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { createNamespace, FakeKubelet, uniqueNamespace } from './fake-kubelet.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let controllers: { stop(): Promise<void> };

beforeAll(async () => {
  cluster = await openLocalCluster();
  controllers = await startControllers({ cluster });
});

afterAll(async () => {
  await controllers.stop();
  await cluster.close();
});

function replicaSet(ns: string, name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
    },
  };
}

async function podsOf(ns: string, app: string, includeTerminating = false): Promise<KubeObject[]> {
  const list = await cluster.list(resources.pods, { namespace: ns, labelSelector: `app=${app}` });
  return list.items.filter((p) => includeTerminating || !p.metadata.deletionTimestamp);
}

describe('ReplicaSet controller', () => {
  it('keeps spec.replicas pods it owns, replaces deleted ones, and reports status', async () => {
    const ns = uniqueNamespace('rs');
    await createNamespace(cluster, ns);
    const kubelet = new FakeKubelet(cluster, ns).start();
    try {
      const rs = await cluster.create(resources.replicasets, replicaSet(ns, 'web', 3));
      const pods = await waitFor('3 pods', async () => {
        const p = await podsOf(ns, 'web');
        return p.length === 3 && p;
      });
      for (const p of pods) {
        expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        expect(p.metadata.ownerReferences).toEqual([
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
        ]);
      }
      const status = await waitFor('ready status', async () => {
        const s = (await cluster.get(resources.replicasets, ns, 'web')).status;
        return s?.readyReplicas === 3 && s;
      });
      expect(status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });

      const victim = String(pods[0].metadata.name);
      await cluster.delete(resources.pods, ns, victim);
      await waitFor('a replacement pod', async () => {
        const p = await podsOf(ns, 'web');
        return p.length === 3 && !p.some((x) => x.metadata.name === victim);
      });
    } finally {
      kubelet.stop();
    }
  });

  it('adopts a matching orphan instead of creating a pod, and scales down not-ready pods first', async () => {
    const ns = uniqueNamespace('rs');
    await createNamespace(cluster, ns);
    const kubelet = new FakeKubelet(cluster, ns);
    kubelet.ready = (p) => p.metadata.labels?.slow !== 'true';
    kubelet.start();
    try {
      await cluster.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'orphan', namespace: ns, labels: { app: 'api' } },
        spec: { containers: [{ name: 'app', image: 'x' }] },
      });
      await cluster.create(resources.replicasets, replicaSet(ns, 'api', 2));
      await waitFor('2 pods incl. the adopted orphan', async () => {
        const p = await podsOf(ns, 'api');
        const orphan = p.find((x) => x.metadata.name === 'orphan');
        return p.length === 2 && orphan?.metadata.ownerReferences?.[0]?.name === 'api';
      });

      // Mark one pod not ready; scaling 2 → 1 must remove exactly that one.
      const notReady = (await podsOf(ns, 'api')).find((x) => x.metadata.name !== 'orphan')!;
      notReady.metadata.labels = { ...notReady.metadata.labels, slow: 'true' };
      await cluster.update(resources.pods, notReady);
      await waitFor('pod not ready', async () => {
        const p = await cluster.get(resources.pods, ns, String(notReady.metadata.name));
        return p.status?.conditions?.[0]?.status === 'False';
      });
      const rs = await cluster.get(resources.replicasets, ns, 'api');
      rs.spec.replicas = 1;
      await cluster.update(resources.replicasets, rs);
      const left = await waitFor('1 pod', async () => {
        const p = await podsOf(ns, 'api');
        return p.length === 1 && p;
      });
      expect(left[0].metadata.name).toBe('orphan');
    } finally {
      kubelet.stop();
    }
  });

  it('scales to thousands of pods in batches and reports them all', async () => {
    const ns = uniqueNamespace('rs');
    await createNamespace(cluster, ns);
    await cluster.create(resources.replicasets, replicaSet(ns, 'many', 2000));
    const status = await waitFor(
      '2000 replicas',
      async () => {
        const s = (await cluster.get(resources.replicasets, ns, 'many')).status;
        return s?.replicas === 2000 && s;
      },
      { timeoutMs: 60_000 },
    );
    expect(status.fullyLabeledReplicas).toBe(2000);
    expect((await podsOf(ns, 'many')).length).toBe(2000);
  });
});
