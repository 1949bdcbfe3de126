import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster } from '../../runtime/store/index.js';
import { deployment, rolloutStatus } from './deployment-helpers.js';
import { createNamespace, FakeKubelet } from './fake-kubelet.js';
import { waitFor } from '../support/wait.js';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('controllers after a restart', () => {
  it('pick up where they left: no duplicate pods, and a later rollout completes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-controllers-restart-'));
    const ns = 'restart';

    let cluster = await openLocalCluster({ stateDir: dir });
    await createNamespace(cluster, ns);
    let controllers = await startControllers({ cluster });
    let kubelet = new FakeKubelet(cluster, ns).start();
    await cluster.create(resources.deployments, deployment(ns, 'web', { replicas: 3 }));
    await waitFor('first rollout', async () => rolloutStatus(await cluster.get(resources.deployments, ns, 'web')).done);
    const before = (await cluster.list(resources.pods, { namespace: ns })).items.map((p) => p.metadata.name).sort();
    kubelet.stop();
    await controllers.stop();
    await cluster.close();

    cluster = await openLocalCluster({ stateDir: dir });
    controllers = await startControllers({ cluster });
    kubelet = new FakeKubelet(cluster, ns).start();
    try {
      // Give the controllers time to (wrongly) act; then the very same pods must still be there.
      await new Promise((r) => setTimeout(r, 500));
      const after = (await cluster.list(resources.pods, { namespace: ns })).items.map((p) => p.metadata.name).sort();
      expect(after).toEqual(before);

      const d = await cluster.get(resources.deployments, ns, 'web');
      d.spec.template.spec.containers[0].image = 'app:2';
      await cluster.update(resources.deployments, d);
      const done = await waitFor('second rollout', async () => {
        const x = await cluster.get(resources.deployments, ns, 'web');
        return rolloutStatus(x).done && x;
      });
      expect(done.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
      await waitFor('old pods gone', async () => (await cluster.list(resources.pods, { namespace: ns })).items.length === 3);
    } finally {
      kubelet.stop();
      await controllers.stop();
      await cluster.close();
    }
  });
});
