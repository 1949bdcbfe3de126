import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers } from '../../runtime/controllers/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { holdsReplicaSetTemplateText } from '../../runtime/controllers/deployment/pod-template-hash.js';
import { condition, deployment, replicaSetsOf, revision, rolloutStatus, setTemplate } from './deployment-helpers.js';
import { createNamespace, FakeKubelet, uniqueNamespace } from './fake-kubelet.js';
import { waitFor } from '../support/wait.js';

let cluster: LocalCluster;
let controllers: { stop(): Promise<void> };
const kubelets: FakeKubelet[] = [];

beforeAll(async () => {
  cluster = await openLocalCluster();
  controllers = await startControllers({ cluster });
});

afterAll(async () => {
  for (const k of kubelets) k.stop();
  await controllers.stop();
  await cluster.close();
});

async function namespaceWithKubelet(ready: (pod: KubeObject) => boolean = () => true): Promise<string> {
  const ns = uniqueNamespace('deploy');
  await createNamespace(cluster, ns);
  const kubelet = new FakeKubelet(cluster, ns);
  kubelet.ready = ready;
  kubelets.push(kubelet.start());
  return ns;
}

function rolledOut(ns: string, name: string, timeoutMs?: number): Promise<KubeObject> {
  return waitFor(
    `${name} rolled out`,
    async () => {
      const d = await cluster.get(resources.deployments, ns, name);
      return rolloutStatus(d).done && d;
    },
    { timeoutMs },
  );
}

describe('Deployment controller', () => {
  it('rolls a new template out within maxSurge/maxUnavailable and reports what kubectl rollout status reads', async () => {
    const ns = await namespaceWithKubelet();
    await cluster.create(
      resources.deployments,
      deployment(ns, 'web', { replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }),
    );
    const first = await rolledOut(ns, 'web');
    expect(first.status).toMatchObject({ observedGeneration: 1, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 });
    expect(first.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(condition(first, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(condition(first, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const [rs1] = await replicaSetsOf(cluster, ns, 'web');
    const hash = rs1.metadata.labels?.['pod-template-hash'];
    expect(rs1.metadata.name).toBe(`web-${hash}`);
    expect(rs1.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.spec.template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });

    // Watch every RS change during the rollout: at no point may the RSs ask for more than replicas + maxSurge.
    const sizes = new Map<string, number>();
    const totals: number[] = [];
    const unwatch = await cluster.watch(resources.replicasets, { namespace: ns, resourceVersion: cluster.currentResourceVersion() }, (e) => {
      sizes.set(String(e.object.metadata.name), e.type === 'DELETED' ? 0 : e.object.spec.replicas);
      totals.push([...sizes.values()].reduce((a, b) => a + b, 0));
    });
    sizes.set(String(rs1.metadata.name), 4);
    await setTemplate(cluster, ns, 'web', (d) => {
      d.metadata.annotations = { 'kubernetes.io/change-cause': 'image app:2' };
      d.spec.template.spec.containers[0].image = 'app:2';
    });
    const second = await rolledOut(ns, 'web');
    unwatch();
    expect(Math.max(...totals)).toBeLessThanOrEqual(5);
    expect(second.status).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect(second.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    const rss = await replicaSetsOf(cluster, ns, 'web');
    expect(rss.map((rs) => [revision(rs), rs.spec.replicas])).toEqual([
      [1, 0],
      [2, 4],
    ]);
    expect(rss[1].metadata.annotations?.['kubernetes.io/change-cause']).toBe('image app:2');
    const events = await cluster.list(resources.events, { namespace: ns });
    expect(events.items.map((e) => e.message)).toContain(`Scaled down replica set ${rs1.metadata.name} from 4 to 3`);
  });

  it('keeps old pods serving when new ones never become ready, and reports ProgressDeadlineExceeded', async () => {
    const ns = await namespaceWithKubelet((pod) => pod.spec.containers[0].image !== 'broken');
    await cluster.create(
      resources.deployments,
      deployment(ns, 'api', {
        progressDeadlineSeconds: 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    await rolledOut(ns, 'api');
    await setTemplate(cluster, ns, 'api', (d) => (d.spec.template.spec.containers[0].image = 'broken'));
    const stuck = await waitFor('deadline exceeded', async () => {
      const d = await cluster.get(resources.deployments, ns, 'api');
      return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && d;
    });
    const [oldRS, newRS] = await replicaSetsOf(cluster, ns, 'api');
    expect(condition(stuck, 'Progressing')).toMatchObject({ status: 'False', message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` });
    expect(rolloutStatus(stuck).error).toBe('deployment "api" exceeded its progress deadline');
    expect(stuck.status).toMatchObject({ replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1 });
    expect(condition(stuck, 'Available')).toMatchObject({ status: 'True' });
    expect(oldRS.spec.replicas).toBe(3);
    expect(newRS.spec.replicas).toBe(1);
  });

  it('prunes old ReplicaSets beyond revisionHistoryLimit, and a rollback reuses the old RS with a new revision', async () => {
    const ns = await namespaceWithKubelet();
    await cluster.create(resources.deployments, deployment(ns, 'hist', { replicas: 1, revisionHistoryLimit: 2 }));
    await rolledOut(ns, 'hist');
    const [first] = await replicaSetsOf(cluster, ns, 'hist');
    for (const image of ['app:2', 'app:3', 'app:4']) {
      await setTemplate(cluster, ns, 'hist', (d) => (d.spec.template.spec.containers[0].image = image));
      await rolledOut(ns, 'hist');
    }
    const rss = await waitFor('history pruned to 2 old + 1 new', async () => {
      const r = await replicaSetsOf(cluster, ns, 'hist');
      return r.length === 3 && r;
    });
    expect(rss.map(revision)).toEqual([2, 3, 4]);
    // The pruned ReplicaSet's template text, compared at each rollout, is not kept once it is gone.
    expect(rss.map((rs) => holdsReplicaSetTemplateText(rs.metadata.uid!))).toEqual([true, true, true]);
    await waitFor('the pruned ReplicaSet forgotten', async () => !holdsReplicaSetTemplateText(first.metadata.uid!));

    // What `kubectl rollout undo` does: copy the previous RS's template (Go round trip included) back without the hash label.
    const previous = structuredClone(rss[1].spec.template);
    delete previous.metadata.labels['pod-template-hash'];
    previous.metadata.creationTimestamp = null;
    previous.spec.containers[0].resources = {};
    await setTemplate(cluster, ns, 'hist', (d) => (d.spec.template = previous));
    const back = await rolledOut(ns, 'hist');
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
    const after = await replicaSetsOf(cluster, ns, 'hist');
    const reused = after.find((rs) => rs.metadata.name === rss[1].metadata.name)!;
    expect(revision(reused)).toBe(5);
    expect(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('3');
    expect(reused.spec.replicas).toBe(1);
  });

  it('pauses: no rollout while paused, scaling still applies, and resume finishes the rollout', async () => {
    const ns = await namespaceWithKubelet();
    await cluster.create(resources.deployments, deployment(ns, 'p', { replicas: 2 }));
    await rolledOut(ns, 'p');
    await setTemplate(cluster, ns, 'p', (d) => {
      d.spec.paused = true;
      d.spec.template.spec.containers[0].image = 'app:2';
    });
    const paused = await waitFor('pause observed', async () => {
      const d = await cluster.get(resources.deployments, ns, 'p');
      return d.status?.observedGeneration === d.metadata.generation && d;
    });
    expect(condition(paused, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    await setTemplate(cluster, ns, 'p', (d) => (d.spec.replicas = 3));
    await waitFor('scaled while paused', async () => {
      const rss = await replicaSetsOf(cluster, ns, 'p');
      return rss.length === 1 && rss[0].spec.replicas === 3;
    });
    await setTemplate(cluster, ns, 'p', (d) => (d.spec.paused = false));
    const resumed = await rolledOut(ns, 'p');
    expect(resumed.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(condition(resumed, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    expect((await replicaSetsOf(cluster, ns, 'p')).map((rs) => rs.spec.replicas)).toEqual([0, 3]);
  });

  it('counts pods available only after minReadySeconds, without needing another event', async () => {
    const ns = await namespaceWithKubelet();
    await cluster.create(resources.deployments, deployment(ns, 'slow', { replicas: 2, minReadySeconds: 1 }));
    const d = await rolledOut(ns, 'slow');
    expect(d.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    const [rs] = await replicaSetsOf(cluster, ns, 'slow');
    expect(rs.spec.minReadySeconds).toBe(1);
  });

  it('Recreate scales old pods away before any new pod starts', async () => {
    const ns = await namespaceWithKubelet();
    await cluster.create(resources.deployments, deployment(ns, 'rc', { replicas: 2, strategy: { type: 'Recreate' } }));
    await rolledOut(ns, 'rc');
    const overlap: string[] = [];
    const unwatch = await cluster.watch(resources.pods, { namespace: ns, resourceVersion: cluster.currentResourceVersion() }, async (e) => {
      if (e.type !== 'ADDED') return;
      const pods = await cluster.list(resources.pods, { namespace: ns });
      const old = pods.items.filter((p) => p.metadata.labels?.['pod-template-hash'] !== e.object.metadata.labels?.['pod-template-hash']);
      if (old.length) overlap.push(String(e.object.metadata.name));
    });
    await setTemplate(cluster, ns, 'rc', (d) => (d.spec.template.spec.containers[0].image = 'app:2'));
    await rolledOut(ns, 'rc');
    unwatch();
    expect(overlap).toEqual([]);
  });
});
