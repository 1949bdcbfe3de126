import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { appSpec, commitId, syncWorld } from '../../../support/fakes/sync-world.js';

describe('sync: which revision, which app', () => {
  it('an app baton does not know is skipped and nothing is written', async () => {
    const w = syncWorld();
    const outcome = await w.run('ghost', { revision: commitId('x') });
    expect(outcome).toEqual({ result: 'Skipped', revision: commitId('x'), message: 'app ghost is not known (no longer declared?)' });
    expect(w.state.writes).toEqual([]);
    expect(w.cluster.calls).toEqual([]);
  });

  it('an app no followed repository declares is skipped', async () => {
    const w = syncWorld();
    w.state.addApp('orphan');
    const outcome = await w.run('orphan', { revision: commitId('x') });
    expect(outcome.result).toBe('Skipped');
    expect(outcome.message).toBe('app orphan belongs to no followed repository');
    expect(w.state.writes).toEqual([]);
  });

  it("syncs the branch's newest commit, not the older one the job named", async () => {
    const w = syncWorld();
    const old = w.push('one', [appSpec('catalog')]);
    const head = w.push('two', [appSpec('catalog')]);
    const outcome = await w.run('catalog', { revision: old });
    expect(outcome).toEqual({ result: 'Succeeded', revision: head });
    expect(w.renderer.renders).toEqual([`catalog@${head}`]);
  });

  it("a rollback request syncs the revision it names, and the app's pin wins over both", async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    w.push('two', [appSpec('catalog')]);
    expect((await w.run('catalog', { trigger: 'rollback', revision: one })).revision).toBe(one);
    const three = w.push('three', [appSpec('catalog')]);
    w.state.status('catalog').pinnedRevision = one;
    w.state.status('catalog').manifestDigest = null;
    expect((await w.run('catalog', { revision: three })).revision).toBe(one);
  });

  it('resolves the desired ref through the source (a tag or branch name becomes a commit)', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    w.source.refs.set('v1.0', head);
    w.state.status('catalog').pinnedRevision = 'v1.0';
    const outcome = await w.run('catalog');
    expect(outcome.revision).toBe(head);
    expect(w.source.resolved).toContain('v1.0');
  });

  it.each(['poll', 'webhook', 'selfHeal'] as const)('a revision that failed before is skipped on a %s trigger', async (trigger) => {
    const w = syncWorld();
    const head = w.push('bad', [appSpec('catalog')]);
    w.state.status('catalog').lastFailedRevision = head;
    w.state.status('catalog').revision = commitId('good');
    const outcome = await w.run('catalog', { trigger });
    expect(outcome).toEqual({ result: 'Skipped', revision: commitId('good'), message: `${shortRevision(head)} failed before; waiting for a new commit` });
    expect(w.renderer.renders).toEqual([]);
    expect(w.state.writes).toEqual([]);
  });

  it.each(['manual', 'rollback'] as const)('a revision that failed before is tried again on a %s trigger', async (trigger) => {
    const w = syncWorld();
    const head = w.push('bad', [appSpec('catalog')]);
    w.state.status('catalog').lastFailedRevision = head;
    const outcome = await w.run('catalog', { trigger, revision: head });
    expect(outcome).toEqual({ result: 'Succeeded', revision: head });
    expect(w.state.status('catalog').lastFailedRevision).toBeUndefined();
  });

  it('a ref Git cannot resolve is thrown (the queue retries it) and nothing is written', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    w.source.failNext = new Error('git: connection refused');
    await expect(w.run('catalog')).rejects.toThrow('git: connection refused');
    expect(w.state.writes).toEqual([]);
  });

  it('a baton.yaml with errors fails the sync without a retry, saying where, and applies nothing', async () => {
    const w = syncWorld();
    const good = w.push('good', [appSpec('catalog')]);
    await w.run('catalog');
    const bad = commitId('bad');
    w.source.brokenCommit(bad, ['baton.yaml:3:5: apps[0].name: must be a DNS-1123 label']);
    w.source.setHead('shop', bad);
    w.state.writes.length = 0;
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog');
    const message = `baton.yaml at ${shortRevision(bad)} has errors:\nbaton.yaml:3:5: apps[0].name: must be a DNS-1123 label`;
    expect(outcome).toEqual({ result: 'Failed', revision: good, message });
    expect(w.state.writes).toEqual([{ op: 'update', app: 'catalog', patch: { syncStatus: 'Unknown', message, observedRevision: bad } }]);
    expect(w.cluster.calls).toEqual([]);
    expect(w.state.history.get('catalog')).toHaveLength(1);
  });

  it('a repository without baton.yaml says so', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const empty = commitId('empty');
    w.source.refs.set(empty, empty);
    w.source.setHead('shop', empty);
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Failed');
    expect(outcome.message).toContain('the repository has no baton.yaml at its root');
  });

  it('an app no longer declared at the revision is skipped and left as it is', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const two = w.push('two', [appSpec('orders')]);
    const outcome = await w.run('catalog');
    expect(outcome).toEqual({ result: 'Skipped', revision: two, message: `catalog is not declared at ${shortRevision(two)}` });
    expect(w.state.writes.filter((x) => x.app === 'catalog')).toEqual([]);
    expect(w.cluster.calls).toEqual([]);
  });

  it('reads the app spec at the synced revision, not the newest one', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog', { namespace: 'shop-v1' })]);
    w.push('two', [appSpec('catalog', { namespace: 'shop-v2' })]);
    await w.run('catalog', { trigger: 'rollback', revision: one });
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.cluster.get('Deployment', 'shop-v1', 'catalog')).toBeDefined();
  });
});
