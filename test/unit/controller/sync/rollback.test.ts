import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import type { AppSpec } from '../../../../controller/apps/app-spec.js';
import { appSpec, syncWorld } from '../../../support/fakes/sync-world.js';

const REASON = 'Deployment catalog/catalog did not become healthy within 120s (0 of 1 updated replicas are available)\npod catalog-7d9f: readiness probe failed: HTTP 500';

/** catalog healthy at `good`, then `bad` pushed whose gate fails. */
async function goodThenBad(spec: AppSpec = appSpec('catalog')) {
  const w = syncWorld();
  const good = w.push('good', [spec]);
  await w.run('catalog');
  const bad = w.push('bad', [spec]);
  w.cluster.gateFor(bad, { healthy: false, reason: REASON });
  w.cluster.calls.length = 0;
  return { w, good, bad };
}

describe('sync: rollback on failure', () => {
  it('a failed gate rolls back to the last healthy manifests and records why', async () => {
    const { w, good, bad } = await goodThenBad();
    const outcome = await w.run('catalog');
    const message = `${shortRevision(bad)} failed and was rolled back to ${shortRevision(good)}: ${REASON}`;
    expect(outcome).toEqual({ result: 'RolledBack', revision: good, message });
    expect(w.cluster.calls).toEqual([`apply ${bad}`, `gate ${bad}`, `rollback ${good}`]);
    expect(w.cluster.get('ConfigMap', 'catalog', 'catalog-config')?.data).toEqual({ content: good });
    const kept = await w.state.getHealthyManifests('catalog');
    expect(w.state.status('catalog')).toMatchObject({ revision: good, manifestDigest: kept!.digest, syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: bad, lastFailedRevision: bad });
    expect(w.state.history.get('catalog')![0]).toMatchObject({ revision: bad, result: 'RolledBack', message });
    expect(w.logs).toContainEqual({ line: `${shortRevision(bad)} failed, rolling back to ${shortRevision(good)}: ${REASON}`, context: { app: 'catalog', revision: bad, event: 'rollback' } });
  });

  it('the failed revision is not kept as healthy (invariant 9)', async () => {
    const { w, good } = await goodThenBad();
    await w.run('catalog');
    expect(w.state.healthy.get('catalog')!.map((m) => m.revision)).toEqual([good]);
  });

  it('the rollback publishes its own progress, as phase rollback', async () => {
    const { w } = await goodThenBad();
    const from = w.state.events.length;
    await w.run('catalog');
    const phases = w.state.events.slice(from).filter((e) => e.type === 'sync.applied').map((e) => (e.data as { phase: string }).phase);
    expect(phases).toEqual(['sync', 'sync', 'rollback', 'rollback']);
  });

  it('with autoRollback off the failed revision stays and the sync is Failed', async () => {
    const { w, bad } = await goodThenBad(appSpec('catalog', { rollout: { progressDeadlineSeconds: 120, autoRollback: false } }));
    const outcome = await w.run('catalog');
    expect(outcome).toEqual({ result: 'Failed', revision: bad, message: `${shortRevision(bad)} failed: ${REASON}` });
    expect(w.cluster.calls).toEqual([`apply ${bad}`, `gate ${bad}`]);
    expect(w.cluster.get('ConfigMap', 'catalog', 'catalog-config')?.data).toEqual({ content: bad });
    expect(w.state.status('catalog')).toMatchObject({ revision: bad, health: 'Degraded', lastFailedRevision: bad });
  });

  it('with no healthy revision to go back to the sync is Failed', async () => {
    const w = syncWorld();
    const bad = w.push('bad', [appSpec('catalog')]);
    w.cluster.gateFor(bad, { healthy: false, reason: REASON });
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Failed');
    expect(w.cluster.calls).not.toContain(expect.stringMatching(/^rollback/));
    expect(w.state.history.get('catalog')![0]).toMatchObject({ result: 'Failed', revision: bad });
  });

  it('a failed revision rendering the same as the healthy one is not rolled back onto itself', async () => {
    const w = syncWorld();
    const good = w.push('good', [appSpec('catalog')]);
    w.renderer.setContent(good, 'same');
    await w.run('catalog');
    const again = w.push('again', [appSpec('catalog')]);
    w.renderer.setContent(again, 'same');
    w.cluster.gateFor(again, { healthy: false, reason: REASON });
    const outcome = await w.run('catalog', { trigger: 'manual' });
    expect(outcome.result).toBe('Failed');
    expect(w.cluster.calls.filter((c) => c.startsWith('rollback'))).toEqual([]);
  });

  it('a rollback that is not healthy either says so', async () => {
    const { w, good, bad } = await goodThenBad();
    w.cluster.gateFor(good, { healthy: false, reason: 'node out of memory' });
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('RolledBack');
    expect(outcome.message).toBe(`${shortRevision(bad)} failed and was rolled back to ${shortRevision(good)}: ${REASON}\nthe rollback is not healthy either: node out of memory`);
  });

  it('an object the cluster refuses is rolled back too', async () => {
    const { w, good, bad } = await goodThenBad();
    w.renderer.addObjects(bad, [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'broken', namespace: 'catalog' } }]);
    w.cluster.reject('Service', 'broken', 'is invalid: spec.ports: Required value');
    const outcome = await w.run('catalog');
    expect(outcome).toMatchObject({ result: 'RolledBack', revision: good });
    expect(outcome.message).toContain('Service catalog/broken is invalid: spec.ports: Required value');
    expect(w.cluster.calls).toEqual([`apply ${bad}`, `rollback ${good}`]);
  });

  it('a rollback the cluster refuses is thrown as it is (unrecoverable: no retry) and nothing is recorded', async () => {
    const { w } = await goodThenBad();
    const recorded = w.state.history.get('catalog')!.length;
    w.cluster.reject('Deployment', 'catalog');
    await expect(w.run('catalog')).rejects.toMatchObject({ name: 'ObjectRejectedError' });
    expect(w.state.history.get('catalog')).toHaveLength(recorded);
  });

  it('a rollback removes what the failed revision added, even when the app does not prune', async () => {
    const spec = appSpec('catalog', { syncPolicy: { automated: true, prune: false, selfHeal: true, allowEmpty: false, pruneLimit: '50%' } });
    const { w, bad } = await goodThenBad(spec);
    w.renderer.addObjects(bad, [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'new-secret', namespace: 'catalog' } }]);
    await w.run('catalog');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
  });

  it('the rolled-back revision is not tried again by the next poll', async () => {
    const { w, bad } = await goodThenBad();
    await w.run('catalog');
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog');
    expect(outcome.message).toBe(`${shortRevision(bad)} failed before; waiting for a new commit`);
    expect(w.cluster.calls).toEqual([]);
  });

  it('a retry of a failed revision left live runs the gate again, and a passing gate makes it Synced and kept as healthy', async () => {
    const w = syncWorld();
    const first = w.push('first', [appSpec('catalog')]);
    w.cluster.gateFor(first, { healthy: false, reason: REASON });
    expect((await w.run('catalog')).result).toBe('Failed');
    // The pods came up later (a slow start): the same revision now passes.
    w.cluster.gateFor(first, { healthy: true });
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog', { trigger: 'retry', revision: first });
    expect(outcome).toEqual({ result: 'Succeeded', revision: first });
    expect(w.cluster.calls).toEqual([`apply ${first}`, `gate ${first}`]);
    expect(w.state.status('catalog')).toMatchObject({ revision: first, syncStatus: 'Synced', health: 'Healthy' });
    expect(w.state.status('catalog').lastFailedRevision).toBeUndefined();
    expect(w.state.healthy.get('catalog')!.map((m) => m.revision)).toEqual([first]);
    expect(w.state.history.get('catalog')!.map((e) => `${e.trigger} ${e.result}`)).toEqual(['retry Succeeded', 'poll Failed']);
  });

  it('a retry of a revision that was rolled back is skipped: it is not the live one', async () => {
    const { w, bad } = await goodThenBad();
    await w.run('catalog');
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog', { trigger: 'retry', revision: bad });
    expect(outcome.message).toBe(`${shortRevision(bad)} failed before; waiting for a new commit`);
    expect(w.cluster.calls).toEqual([]);
  });
});
