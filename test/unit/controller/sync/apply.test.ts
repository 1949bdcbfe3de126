import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { appSpec, commitId, syncWorld } from '../../../support/fakes/sync-world.js';

const configMap = (name: string, namespace = 'catalog') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: {} });

describe('sync: apply and health gate', () => {
  it('applies, passes the gate, and records a Succeeded history entry with its timings', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    const started = w.clock.now();
    w.cluster.onApplyObject = () => w.clock.advance(1500);
    const outcome = await w.run('catalog', { trigger: 'webhook' });
    expect(outcome).toEqual({ result: 'Succeeded', revision: head });
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.state.history.get('catalog')).toEqual([
      {
        id: 1,
        revision: head,
        digest: expect.stringMatching(/^sha256:/),
        result: 'Succeeded',
        startedAt: started.toISOString(),
        finishedAt: new Date(started.getTime() + 3000).toISOString(),
        durationMs: 3000,
        trigger: 'webhook',
        message: `${shortRevision(head)} is Healthy`,
      },
    ]);
  });

  it('the healthy revision is kept for rollbacks and the status says Synced and Healthy', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    w.state.status('catalog').lastFailedRevision = commitId('older');
    await w.run('catalog');
    const kept = await w.state.getHealthyManifests('catalog');
    expect(kept?.revision).toBe(head);
    expect(kept?.objects.map((o) => o.metadata.name)).toEqual(['catalog-config', 'catalog']);
    const status = w.state.status('catalog');
    expect(status).toMatchObject({ revision: head, syncStatus: 'Synced', health: 'Healthy', message: '', observedRevision: head, manifestDigest: kept!.digest, lastSync: w.clock.now().toISOString() });
    expect(status.lastFailedRevision).toBeUndefined();
  });

  it('shows Syncing while it applies, then writes its conclusion once', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    await w.run('catalog');
    expect(w.state.writes.map((x) => x.op)).toEqual(['update', 'record']);
    expect(w.state.writes[0]).toEqual({ op: 'update', app: 'catalog', patch: { syncStatus: 'Syncing', health: 'Progressing', message: `syncing to ${shortRevision(head)}`, observedRevision: head } });
  });

  it('publishes sync.started, each applied object with counts, the workloads rollout, then sync.recorded', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    await w.run('catalog', { trigger: 'manual' });
    const events = w.state.events.filter((e) => e.type.startsWith('sync.'));
    expect(events.map((e) => e.type)).toEqual(['sync.started', 'sync.applied', 'sync.applied', 'sync.progress', 'sync.recorded']);
    expect(events[0].data).toEqual({ revision: head, trigger: 'manual' });
    expect(events[2].data).toMatchObject({ phase: 'sync', applied: 2, total: 2, object: { kind: 'Deployment', name: 'catalog', action: 'created' } });
    expect(events[3].data).toMatchObject({ phase: 'sync', workload: { kind: 'Deployment', state: 'done' } });
  });

  it('logs what it applies and that the revision is Healthy', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    await w.run('catalog');
    expect(w.logs).toEqual([
      { line: `applying ${shortRevision(head)} (2 objects)`, context: { app: 'catalog', revision: head } },
      { line: `${shortRevision(head)} is Healthy`, context: { app: 'catalog', revision: head } },
    ]);
  });

  it('an object the cluster refuses fails the revision at once, with no retry and no gate', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    w.cluster.reject('Deployment', 'catalog');
    const outcome = await w.run('catalog');
    const message = `${shortRevision(head)} failed: Deployment catalog/catalog is invalid: spec.replicas: must be greater than or equal to 0`;
    expect(outcome).toEqual({ result: 'Failed', revision: head, message });
    expect(w.cluster.calls).toEqual([`apply ${head}`]);
    expect(w.state.status('catalog')).toMatchObject({ revision: head, syncStatus: 'OutOfSync', health: 'Degraded', message, lastFailedRevision: head });
    expect(w.state.history.get('catalog')![0]).toMatchObject({ result: 'Failed', message });
    expect(await w.state.getHealthyManifests('catalog')).toBeUndefined();
  });

  it('prunes objects the app no longer renders', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    w.renderer.addObjects(one, [configMap('legacy')]);
    await w.run('catalog');
    expect(w.cluster.names()).toContain('ConfigMap/legacy');
    w.push('two', [appSpec('catalog')]);
    await w.run('catalog');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.state.events.some((e) => e.type === 'sync.applied' && (e.data as { object: { action: string } }).object.action === 'pruned')).toBe(true);
  });

  it('keeps objects no longer rendered when the app does not prune', async () => {
    const w = syncWorld();
    const spec = appSpec('catalog', { syncPolicy: { automated: true, prune: false, selfHeal: true, allowEmpty: false, pruneLimit: '50%' } });
    const one = w.push('one', [spec]);
    w.renderer.addObjects(one, [configMap('legacy')]);
    await w.run('catalog');
    w.push('two', [spec]);
    await w.run('catalog');
    expect(w.cluster.names()).toContain('ConfigMap/legacy');
  });

  it("never prunes another app's objects", async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog', { namespace: 'shop' }), appSpec('orders', { namespace: 'shop' })]);
    await w.run('orders');
    await w.run('catalog');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'ConfigMap/orders-config', 'Deployment/catalog', 'Deployment/orders']);
  });

  it('a pinned revision synced behind the branch head is OutOfSync with how to follow the branch', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    const two = w.push('two', [appSpec('catalog')]);
    w.state.status('catalog').pinnedRevision = one;
    const outcome = await w.run('catalog');
    expect(outcome).toEqual({ result: 'Succeeded', revision: one });
    expect(w.state.status('catalog')).toMatchObject({
      revision: one,
      syncStatus: 'OutOfSync',
      observedRevision: two,
      message: `pinned to ${shortRevision(one)} by a rollback; the branch is at ${shortRevision(two)} (\`baton sync catalog\` follows it again)`,
    });
  });

  it('a pin at the branch head is simply Synced', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    w.state.status('catalog').pinnedRevision = one;
    await w.run('catalog');
    expect(w.state.status('catalog')).toMatchObject({ syncStatus: 'Synced', message: '' });
  });

  it('gives the gate the app namespace and progress deadline', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog', { namespace: 'shop', rollout: { progressDeadlineSeconds: 7, autoRollback: true } })]);
    let seen: { namespace: string; deadlineSeconds: number } | undefined;
    const gate = w.cluster.waitForHealthy.bind(w.cluster);
    w.cluster.waitForHealthy = (input) => {
      seen = { namespace: input.namespace, deadlineSeconds: input.deadlineSeconds };
      return gate(input);
    };
    await w.run('catalog');
    expect(seen).toEqual({ namespace: 'shop', deadlineSeconds: 7 });
  });
});
