import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { appSpec, syncWorld } from '../../../support/fakes/sync-world.js';

/** A world where catalog was synced at `one`, and `two` changes nothing it renders. */
async function syncedThenUnchanged() {
  const w = syncWorld();
  const one = w.push('one', [appSpec('catalog')]);
  w.renderer.setContent(one, 'same');
  await w.run('catalog');
  const two = w.push('two', [appSpec('catalog')]);
  w.renderer.setContent(two, 'same');
  w.cluster.calls.length = 0;
  w.state.writes.length = 0;
  return { w, one, two };
}

describe('sync: skip when in sync', () => {
  it('the same digest with live objects as rendered needs no apply: Synced, health refreshed, no history entry', async () => {
    const { w, one } = await syncedThenUnchanged();
    // Same content and revision: live equals desired.
    w.source.setHead('shop', one);
    w.cluster.health = 'Progressing';
    const outcome = await w.run('catalog');
    expect(outcome).toEqual({ result: 'Skipped', revision: one, message: 'already in sync' });
    expect(w.cluster.calls).toEqual(['read', 'health']);
    expect(w.state.writes).toEqual([{ op: 'update', app: 'catalog', patch: { syncStatus: 'Synced', message: '', observedRevision: one, health: 'Progressing', revision: one } }]);
    expect(w.state.history.get('catalog')).toHaveLength(1);
  });

  it('a manual sync applies even when nothing changed', async () => {
    const { w, one } = await syncedThenUnchanged();
    w.source.setHead('shop', one);
    const outcome = await w.run('catalog', { trigger: 'manual' });
    expect(outcome).toEqual({ result: 'Succeeded', revision: one });
    expect(w.cluster.calls).toEqual([`apply ${one}`, `gate ${one}`]);
    expect(w.state.history.get('catalog')).toHaveLength(2);
  });

  it('live objects that drifted are applied again though the digest is the same', async () => {
    const { w, one } = await syncedThenUnchanged();
    w.source.setHead('shop', one);
    w.cluster.get('ConfigMap', 'catalog', 'catalog-config')!.data = { content: 'edited by hand' };
    const outcome = await w.run('catalog', { trigger: 'selfHeal' });
    expect(outcome.result).toBe('Succeeded');
    expect(w.cluster.get('ConfigMap', 'catalog', 'catalog-config')!.data).toEqual({ content: 'same' });
  });

  it('a live object deleted by hand is applied again', async () => {
    const { w, one } = await syncedThenUnchanged();
    w.source.setHead('shop', one);
    w.cluster.objects.delete('Deployment/catalog/catalog');
    expect((await w.run('catalog')).result).toBe('Succeeded');
    expect(w.cluster.names()).toContain('Deployment/catalog');
  });

  it('a new digest is applied without reading live first', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    await w.run('catalog');
    const two = w.push('two', [appSpec('catalog')]);
    w.cluster.calls.length = 0;
    await w.run('catalog');
    expect(w.cluster.calls).toEqual([`apply ${two}`, `gate ${two}`]);
  });

  it('a pin behind the branch head in sync is OutOfSync, saying how to follow the branch again', async () => {
    const { w, one, two } = await syncedThenUnchanged();
    w.state.status('catalog').pinnedRevision = one;
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Skipped');
    expect(w.state.status('catalog')).toMatchObject({
      syncStatus: 'OutOfSync',
      observedRevision: two,
      message: `pinned to ${shortRevision(one)} by a rollback; the branch is at ${shortRevision(two)} (\`baton sync catalog\` follows it again)`,
    });
  });
});
