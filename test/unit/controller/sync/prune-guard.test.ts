import { describe, expect, it } from 'vitest';
import { pruneLimitObjects, pruneRefusal } from '../../../../controller/sync/steps/guard-prune.js';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { appSpec, syncWorld } from '../../../support/fakes/sync-world.js';

const configMap = (name: string, namespace = 'catalog') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: {} });
const policy = (more: Partial<{ allowEmpty: boolean; pruneLimit: string | number }> = {}) => ({ automated: true, prune: true, selfHeal: true, allowEmpty: false, pruneLimit: '50%', ...more });

/** The app synced once at `one` with the Deployment, its ConfigMap and `extra` ConfigMaps live; `two` is pushed, not synced. */
async function syncedThenPushed(spec = appSpec('catalog'), extra: string[] = []) {
  const w = syncWorld();
  const one = w.push('one', [spec]);
  w.renderer.addObjects(one, extra.map((name) => configMap(name)));
  await w.run('catalog');
  const two = w.push('two', [spec]);
  w.cluster.calls.length = 0;
  return { w, one, two };
}

describe('sync: the prune guard', () => {
  it('refuses a commit that empties the app: nothing applied, nothing pruned, and the message says how to proceed', async () => {
    const { w, two } = await syncedThenPushed();
    w.renderer.renderOnly(two, []);
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Failed');
    expect(outcome.message).toContain(`${shortRevision(two)} refused: it would delete 2 of the app's 2 live objects (ConfigMap/catalog-config, Deployment/catalog)`);
    expect(outcome.message).toContain('syncPolicy.allowEmpty: true');
    expect(outcome.message).toContain('baton sync catalog --prune');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.cluster.calls).toEqual([]);
    expect(w.state.history.get('catalog')?.[0]).toMatchObject({ revision: two, result: 'Failed', message: outcome.message });
    expect(w.state.history.get('catalog')?.[0]?.pruned).toBeUndefined();
    expect(w.state.status('catalog')).toMatchObject({ syncStatus: 'OutOfSync', lastFailedRevision: two, observedRevision: two });
  });

  it('with allowEmpty the emptied app is pruned and its history entry lists what was deleted', async () => {
    const { w, two } = await syncedThenPushed(appSpec('catalog', { syncPolicy: policy({ allowEmpty: true }) }));
    w.renderer.renderOnly(two, []);
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Succeeded');
    expect(w.cluster.names()).toEqual([]);
    expect(w.state.history.get('catalog')?.[0]?.pruned).toEqual([
      { kind: 'ConfigMap', namespace: 'catalog', name: 'catalog-config' },
      { kind: 'Deployment', namespace: 'catalog', name: 'catalog' },
    ]);
  });

  it('refuses pruning more than pruneLimit of the live objects', async () => {
    const { w, two } = await syncedThenPushed(appSpec('catalog'), ['a', 'b', 'c']);
    const outcome = await w.run('catalog');
    expect(outcome.message).toContain(`${shortRevision(two)} refused: it would delete 3 of the app's 5 live objects (ConfigMap/a, ConfigMap/b, ConfigMap/c), more than syncPolicy.pruneLimit "50%" allows (2)`);
    expect(w.cluster.names()).toEqual(['ConfigMap/a', 'ConfigMap/b', 'ConfigMap/c', 'ConfigMap/catalog-config', 'Deployment/catalog']);
  });

  it('prunes within pruneLimit and lists what it pruned', async () => {
    const { w } = await syncedThenPushed(appSpec('catalog', { syncPolicy: policy({ pruneLimit: 3 }) }), ['a', 'b', 'c']);
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Succeeded');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.state.history.get('catalog')?.[0]?.pruned).toEqual(['a', 'b', 'c'].map((name) => ({ kind: 'ConfigMap', namespace: 'catalog', name })));
  });

  it('a sync asked with prune forced passes the guard', async () => {
    const { w, two } = await syncedThenPushed();
    w.renderer.renderOnly(two, []);
    const outcome = await w.run('catalog', { trigger: 'manual', prune: true });
    expect(outcome.result).toBe('Succeeded');
    expect(w.cluster.names()).toEqual([]);
    expect(w.state.history.get('catalog')?.[0]?.pruned).toHaveLength(2);
  });

  it('forced prune prunes even when the app does not', async () => {
    const spec = appSpec('catalog', { syncPolicy: policy({ }) });
    spec.syncPolicy.prune = false;
    const { w } = await syncedThenPushed(spec, ['legacy']);
    await w.run('catalog');
    expect(w.cluster.names()).toContain('ConfigMap/legacy');
    await w.run('catalog', { trigger: 'manual', prune: true });
    expect(w.cluster.names()).not.toContain('ConfigMap/legacy');
  });

  it('an app with no live objects is not refused', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    w.renderer.renderOnly(one, []);
    expect((await w.run('catalog')).result).toBe('Succeeded');
  });

  it.each([
    [{ live: 4, prune: 2 }, policy(), undefined],
    [{ live: 4, prune: 3 }, policy(), 'more than syncPolicy.pruneLimit "50%" allows (2)'],
    [{ live: 4, prune: 4 }, policy(), 'every object the app has (syncPolicy.allowEmpty is false)'],
    [{ live: 4, prune: 4 }, policy({ allowEmpty: true }), undefined],
    [{ live: 4, prune: 1 }, policy({ pruneLimit: '0%' }), 'more than syncPolicy.pruneLimit "0%" allows (0)'],
    [{ live: 0, prune: 0 }, policy(), undefined],
  ])('%o under %o: %s', (counts, p, refusal) => {
    const plan = { live: counts.live, prune: Array.from({ length: counts.prune }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `c${i}` })) };
    expect(pruneRefusal(plan, p)).toBe(refusal);
  });

  it('reads pruneLimit as a percentage (rounded down) or a number of objects', () => {
    expect(pruneLimitObjects('50%', 7)).toBe(3);
    expect(pruneLimitObjects('100%', 7)).toBe(7);
    expect(pruneLimitObjects(2, 7)).toBe(2);
  });
});
