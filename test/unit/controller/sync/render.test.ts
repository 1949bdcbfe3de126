import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { renderedObjects } from '../../../support/fakes/fake-renderer.js';
import { appSpec, commitId, syncWorld } from '../../../support/fakes/sync-world.js';

describe('sync: render', () => {
  it('a revision that does not render fails with the file:line errors, applies nothing, and is not retried', async () => {
    const w = syncWorld();
    const good = w.push('good', [appSpec('catalog')]);
    await w.run('catalog');
    const bad = w.push('bad', [appSpec('catalog')]);
    w.renderer.failAt(bad, ['apps/catalog/deployment.yaml:4:3: unexpected indentation', 'apps/catalog/service.yaml:1:1: kind is missing']);
    w.cluster.calls.length = 0;
    const events = w.state.events.length;
    const outcome = await w.run('catalog');
    const message = `${shortRevision(bad)} does not render; nothing was applied:\napps/catalog/deployment.yaml:4:3: unexpected indentation\napps/catalog/service.yaml:1:1: kind is missing`;
    expect(outcome).toEqual({ result: 'Failed', revision: good, message });
    expect(w.cluster.calls).toEqual([]);
    expect(w.state.events.slice(events).map((e) => e.type)).not.toContain('sync.started');
    expect(w.state.status('catalog')).toMatchObject({ revision: good, syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: bad, lastFailedRevision: bad });
    expect(w.state.history.get('catalog')![0]).toMatchObject({ revision: bad, digest: '', result: 'Failed', message, trigger: 'poll' });
    expect(w.logs).toContainEqual({ line: message, context: { app: 'catalog', revision: bad } });
  });

  it('a render error on a never-synced app answers with the revision tried', async () => {
    const w = syncWorld();
    const bad = w.push('bad', [appSpec('catalog')]);
    w.renderer.failAt(bad, ['baton.yaml:2:3: no chart "nope" is bundled with baton (there are: web-service)']);
    expect((await w.run('catalog')).revision).toBe(bad);
  });

  it('fills in the app namespace of objects that name none', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog', { namespace: 'shop' })]);
    await w.run('catalog');
    expect(w.cluster.get('ConfigMap', 'shop', 'catalog-config')).toBeDefined();
  });

  it("a pinned revision re-applies its kept healthy manifests without rendering", async () => {
    const w = syncWorld();
    w.push('head', [appSpec('catalog')]);
    const pinned = commitId('v1');
    w.source.commit(pinned, [appSpec('catalog')]);
    w.state.status('catalog').pinnedRevision = pinned;
    const kept = renderedObjects({ name: 'catalog' }, 'kept').map((o) => ({ ...o, metadata: { ...o.metadata, annotations: { 'baton.dev/revision': pinned } } }));
    w.state.keepHealthy('catalog', { revision: pinned, digest: 'sha256:kept', objects: kept });
    const outcome = await w.run('catalog');
    expect(outcome).toEqual({ result: 'Succeeded', revision: pinned });
    expect(w.renderer.renders).toEqual([]);
    expect(w.cluster.get('ConfigMap', 'catalog', 'catalog-config')?.data).toEqual({ content: 'kept' });
    expect(w.state.status('catalog').manifestDigest).toBe('sha256:kept');
  });

  it('a pinned revision whose manifests are no longer kept is rendered', async () => {
    const w = syncWorld();
    w.push('head', [appSpec('catalog')]);
    const pinned = commitId('v1');
    w.source.commit(pinned, [appSpec('catalog')]);
    w.state.status('catalog').pinnedRevision = pinned;
    w.state.keepHealthy('catalog', { revision: commitId('other'), digest: 'sha256:other', objects: [] });
    await w.run('catalog');
    expect(w.renderer.renders).toEqual([`catalog@${pinned}`]);
  });

  it('a Git error while rendering is thrown (retried) with nothing recorded', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    w.renderer.render = async () => {
      throw new Error('git: object not found');
    };
    await expect(w.run('catalog')).rejects.toThrow('git: object not found');
    expect(w.state.writes).toEqual([]);
  });
});
