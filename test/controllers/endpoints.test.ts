import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { deployment } from './deployment-helpers.js';
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

function readyIps(ep: KubeObject): string[] {
  return ((ep.subsets ?? []) as any[]).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
}
function notReadyNames(ep: KubeObject): string[] {
  return ((ep.subsets ?? []) as any[]).flatMap((s: any) => (s.notReadyAddresses ?? []).map((a: any) => a.targetRef.name)).sort();
}

describe('Endpoints controller', () => {
  it('lists only ready pods as addresses, follows readiness, and drops terminating pods first', async () => {
    const ns = uniqueNamespace('ep');
    await createNamespace(cluster, ns);
    const unready = new Set<string>();
    const kubelet = new FakeKubelet(cluster, ns);
    kubelet.ready = (p) => !unready.has(String(p.metadata.name));
    kubelet.start();
    try {
      const d = deployment(ns, 'shop', { replicas: 3 });
      d.spec.template.spec.containers[0].ports = [{ name: 'http', containerPort: 8080 }];
      await cluster.create(resources.deployments, d);
      await cluster.create(resources.services, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'shop', namespace: ns, labels: { tier: 'web' } },
        spec: { selector: { app: 'shop' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
      });
      const ep = await waitFor('3 ready endpoints', async () => {
        const e = await cluster.get(resources.endpoints, ns, 'shop');
        return readyIps(e).length === 3 && e;
      });
      expect(ep.metadata.labels).toEqual({ tier: 'web' });
      const subsets = ep.subsets as any[];
      expect(subsets).toHaveLength(1);
      expect(subsets[0].ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
      expect(subsets[0].addresses[0]).toMatchObject({ nodeName: 'local', targetRef: { kind: 'Pod', namespace: ns } });

      const pods = (await cluster.list(resources.pods, { namespace: ns })).items;
      const flaky = String(pods[0].metadata.name);
      unready.add(flaky);
      const degraded = await waitFor('one pod not ready', async () => {
        const e = await cluster.get(resources.endpoints, ns, 'shop');
        return readyIps(e).length === 2 && e;
      });
      expect(notReadyNames(degraded)).toEqual([flaky]);
      expect(readyIps(degraded)).not.toContain(pods[0].status.podIP);

      unready.delete(flaky);
      await waitFor('back to 3 ready', async () => readyIps(await cluster.get(resources.endpoints, ns, 'shop')).length === 3);

      // A terminating pod leaves the endpoints while it still exists.
      kubelet.stop();
      const leaving = pods[1];
      await cluster.delete(resources.pods, ns, String(leaving.metadata.name));
      await waitFor('terminating pod gone from endpoints', async () => {
        const e = await cluster.get(resources.endpoints, ns, 'shop');
        const still = await cluster.get(resources.pods, ns, String(leaving.metadata.name)).catch(() => undefined);
        return still?.metadata.deletionTimestamp && !readyIps(e).includes(leaving.status.podIP) && notReadyNames(e).length === 0;
      });
      // The terminating pod is not a replica any more, but it is accounted for.
      const shop = await waitFor('terminating counted', async () => {
        const x = await cluster.get(resources.deployments, ns, 'shop');
        return x.status?.terminatingReplicas === 1 && x;
      });
      expect(shop.status).toMatchObject({ replicas: 3, terminatingReplicas: 1 });
    } finally {
      kubelet.stop();
    }
  });

  it('removes the Endpoints with the Service and leaves selector-less Services alone', async () => {
    const ns = uniqueNamespace('ep');
    await createNamespace(cluster, ns);
    await cluster.create(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'sel', namespace: ns },
      spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
    });
    await cluster.create(resources.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'manual', namespace: ns },
      spec: { ports: [{ port: 80 }] },
    });
    const manual = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: ns }, subsets: [{ addresses: [{ ip: '127.0.0.9' }], ports: [{ port: 80 }] }] };
    await cluster.create(resources.endpoints, manual);
    const empty = await waitFor('endpoints for sel', () => cluster.get(resources.endpoints, ns, 'sel'));
    expect(empty.subsets).toBeUndefined();
    await cluster.delete(resources.services, ns, 'sel');
    await waitFor('endpoints removed', async () => (await cluster.get(resources.endpoints, ns, 'sel').catch(() => 'gone')) === 'gone');
    expect((await cluster.get(resources.endpoints, ns, 'manual')).subsets).toEqual(manual.subsets);
  });
});
