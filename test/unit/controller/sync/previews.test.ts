import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { appSpec, commitId, syncWorld } from '../../../support/fakes/sync-world.js';

const previewed = (name: string, more: Parameters<typeof appSpec>[1] = {}) => appSpec(name, { preview: { enabled: true, values: { replicas: 1 } }, ...more });

describe('sync: preview apps', () => {
  it('what the preview left out of pr-N is said in its status message and history entry; the sync still succeeds', async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog')]);
    w.openPreview(7, head, ['catalog']);
    w.renderer.leaveOut(head, [
      { kind: 'Deployment', name: 'sniffer', reason: "its pods use the host's network (hostNetwork), which a preview may not" },
      { kind: 'Secret', name: 'payments-keys', reason: 'a Secret reaches a preview only with the annotation baton.dev/preview: "true"' },
    ]);
    const said = [
      '2 objects left out of the preview:',
      "Deployment sniffer: its pods use the host's network (hostNetwork), which a preview may not",
      'Secret payments-keys: a Secret reaches a preview only with the annotation baton.dev/preview: "true"',
    ].join('\n');
    expect(await w.run('pr-7.catalog')).toEqual({ result: 'Succeeded', revision: head });
    expect(w.state.status('pr-7.catalog')).toMatchObject({ syncStatus: 'Synced', health: 'Healthy', message: said });
    expect(w.state.history.get('pr-7.catalog')![0]).toMatchObject({ result: 'Succeeded', message: `${shortRevision(head)} is Healthy\n${said}` });

    // A sync that finds live in sync again says it still (its status message is rewritten).
    expect((await w.run('pr-7.catalog', { trigger: 'poll' })).result).toBe('Skipped');
    expect(w.state.status('pr-7.catalog')?.message).toBe(said);

    // A failed revision says it under why it failed.
    const next = commitId('feature-2');
    w.source.commit(next, [previewed('catalog')]);
    w.openPreview(7, next, ['catalog']);
    w.renderer.leaveOut(next, [{ kind: 'Role', name: 'all', reason: 'preview pods get no API rights' }]);
    w.cluster.gateFor(next, { healthy: false, reason: 'pod catalog-1 crashed' });
    expect((await w.run('pr-7.catalog', { revision: next })).result).not.toBe('Succeeded');
    expect(w.state.status('pr-7.catalog')?.message).toMatch(/pod catalog-1 crashed\n1 object left out of the preview:\nRole all: preview pods get no API rights$/);
  });

  it("an open request's preview syncs its head into pr-N, named pr-N.<app>", async () => {
    const w = syncWorld();
    w.push('main', [previewed('catalog')]);
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog')]);
    w.openPreview(7, head, ['catalog']);
    const outcome = await w.run('pr-7.catalog');
    expect(outcome).toEqual({ result: 'Succeeded', revision: head });
    expect(w.renderer.renders).toEqual([`pr-7.catalog@${head}`]);
    expect(w.cluster.get('Deployment', 'pr-7', 'catalog')).toBeDefined();
    expect(w.state.status('pr-7.catalog')).toMatchObject({ revision: head, syncStatus: 'Synced', health: 'Healthy' });
  });

  it('the head is fetched through the request ref first, so the commit is in the mirror', async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog')]);
    w.source.refs.set('refs/pull/7/head', head);
    w.openPreview(7, head, ['catalog']);
    await w.run('pr-7.catalog');
    expect(w.source.resolved).toEqual(['refs/pull/7/head', head]);
  });

  it('a closed request is not synced', async () => {
    const w = syncWorld();
    w.state.addApp('pr-7.catalog', { revision: commitId('old'), origin: { kind: 'preview', number: 7, app: 'catalog' } });
    const outcome = await w.run('pr-7.catalog', { revision: commitId('x') });
    expect(outcome).toEqual({ result: 'Skipped', revision: commitId('old'), message: 'pull request #7 has no open preview of catalog' });
    expect(w.state.writes).toEqual([]);
  });

  it('a preview app registered before origins were recorded is still synced as a preview', async () => {
    const w = syncWorld();
    w.state.addApp('pr-7.catalog', { revision: commitId('old'), origin: undefined });
    const outcome = await w.run('pr-7.catalog', { revision: commitId('x') });
    expect(outcome.message).toBe('pull request #7 has no open preview of catalog');
  });

  it('a request that no longer previews this app is not synced', async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog'), previewed('orders')]);
    w.openPreview(7, head, ['catalog']);
    w.state.addApp('pr-7.orders', { origin: { kind: 'preview', number: 7, app: 'orders' } });
    const outcome = await w.run('pr-7.orders', { revision: head });
    expect(outcome.message).toBe('pull request #7 has no open preview of orders');
    expect(w.cluster.calls).toEqual([]);
  });

  it("a request whose repository is no longer followed is not synced", async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog')]);
    w.openPreview(7, head, ['catalog'], { repository: 'gone' });
    expect((await w.run('pr-7.catalog')).result).toBe('Skipped');
  });

  it('a head moved on (the old sha is gone) syncs what the request ref now names', async () => {
    const w = syncWorld();
    const moved = commitId('force-pushed');
    w.source.commit(moved, [previewed('catalog')]);
    w.source.refs.set('refs/pull/7/head', moved);
    w.openPreview(7, commitId('rewritten'), ['catalog']);
    const outcome = await w.run('pr-7.catalog');
    expect(outcome).toEqual({ result: 'Succeeded', revision: moved });
  });

  it("a label-approved head that is gone is not replaced by the request's newer head: the sync throws", async () => {
    const w = syncWorld();
    const pushed = commitId('pushed-after-the-label');
    w.source.commit(pushed, [previewed('catalog')]);
    w.source.refs.set('refs/pull/7/head', pushed);
    const approved = commitId('approved');
    w.openPreview(7, approved, ['catalog'], { fromFork: true, labels: ['preview'], approval: { label: 'preview', sha: approved, how: 'labeled', at: new Date(0).toISOString() } });
    await expect(w.run('pr-7.catalog')).rejects.toThrow(`cannot resolve ${approved}`);
    expect(w.cluster.calls).toEqual([]);
  });

  it('a head neither the sha nor the request ref can find is thrown (retried)', async () => {
    const w = syncWorld();
    w.openPreview(7, commitId('nowhere'), ['catalog']);
    await expect(w.run('pr-7.catalog')).rejects.toThrow(`cannot resolve ${commitId('nowhere')}`);
  });

  it('an app whose previews are off at the head is not synced', async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [appSpec('catalog')]);
    w.openPreview(7, head, ['catalog']);
    const outcome = await w.run('pr-7.catalog');
    expect(outcome).toEqual({ result: 'Skipped', revision: head, message: `catalog has no preview at ${shortRevision(head)}` });
    expect(w.cluster.calls).toEqual([]);
  });

  it('a head that failed before waits for a new push, unless a person asks (a rollback trigger does not count)', async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog')]);
    w.openPreview(7, head, ['catalog']);
    w.state.status('pr-7.catalog').lastFailedRevision = head;
    for (const trigger of ['poll', 'webhook', 'rollback'] as const) {
      const outcome = await w.run('pr-7.catalog', { trigger });
      expect(outcome.message).toBe(`${shortRevision(head)} failed before; waiting for a new push to the request`);
    }
    expect((await w.run('pr-7.catalog', { trigger: 'manual' })).result).toBe('Succeeded');
  });

  it("waits for a dependency's preview when that app is previewed too, and for production otherwise", async () => {
    const w = syncWorld();
    const main = commitId('main');
    w.source.commit(main, [previewed('auth'), appSpec('search'), previewed('catalog', { dependsOn: ['auth', 'search'] })]);
    w.source.setHead('shop', main);
    const head = commitId('feature');
    w.source.commit(head, [previewed('auth'), appSpec('search'), previewed('catalog', { dependsOn: ['auth', 'search'] })]);
    w.openPreview(7, head, ['auth', 'catalog']);
    w.state.addApp('search', { health: 'Progressing' });
    w.state.status('pr-7.auth').health = 'Progressing';
    await expect(w.run('pr-7.catalog')).rejects.toThrow('pr-7.catalog: waiting for pr-7.auth, search to be Healthy');
  });

  it("takes its cluster and production dependencies from the followed branch's baton.yaml, not from the request's", async () => {
    const w = syncWorld();
    const main = commitId('main');
    w.source.commit(main, [appSpec('vault'), previewed('catalog')]);
    w.source.setHead('shop', main);
    const head = commitId('feature');
    // The request's head sends catalog's preview to another cluster and makes it depend on vault, which production's does not.
    w.source.commit(head, [appSpec('vault'), previewed('catalog', { cluster: 'production', dependsOn: ['vault'] })]);
    w.openPreview(7, head, ['catalog']);
    w.state.addApp('vault', { health: 'Progressing' });
    expect(await w.run('pr-7.catalog')).toEqual({ result: 'Succeeded', revision: head });
    expect(w.cluster.get('Deployment', 'pr-7', 'catalog')).toBeDefined();
  });

  it("a preview ignores the pin a rollback may have left on the app's status", async () => {
    const w = syncWorld();
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog')]);
    w.openPreview(7, head, ['catalog']);
    w.state.status('pr-7.catalog').pinnedRevision = commitId('elsewhere');
    expect((await w.run('pr-7.catalog')).revision).toBe(head);
  });
});
