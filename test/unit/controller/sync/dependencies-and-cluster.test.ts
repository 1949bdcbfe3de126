import { describe, expect, it } from 'vitest';
import { RetryLaterError } from '../../../../controller/queue/retry-later-error.js';
import { appSpec, syncWorld } from '../../../support/fakes/sync-world.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the sync to throw');
    },
    (err: unknown) => err,
  );
}

describe('sync: dependencies', () => {
  it('an app whose dependency is not Healthy waits (a delayed retry), says why, and applies nothing', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('auth'), appSpec('catalog', { dependsOn: ['auth'] })]);
    const err = await rejection(w.run('catalog'));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect((err as RetryLaterError).data.delayMs).toBe(3000);
    expect((err as RetryLaterError).message).toBe('catalog: waiting for auth to be Healthy');
    expect(w.state.writes).toEqual([{ op: 'update', app: 'catalog', patch: { message: 'waiting for auth to be Healthy', observedRevision: head } }]);
    expect(w.cluster.calls).toEqual([]);
    expect(w.renderer.renders).toEqual([]);
  });

  it('writes the waiting message once, not on every look', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('auth'), appSpec('catalog', { dependsOn: ['auth'] })]);
    await rejection(w.run('catalog'));
    await rejection(w.run('catalog'));
    await rejection(w.run('catalog'));
    expect(w.state.writes.filter((x) => x.app === 'catalog')).toHaveLength(1);
  });

  it('names every dependency it waits for, in declared order', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('auth'), appSpec('db'), appSpec('search'), appSpec('catalog', { dependsOn: ['db', 'search', 'auth'] })]);
    w.state.status('search').health = 'Healthy';
    w.state.status('auth').health = 'Degraded';
    await expect(w.run('catalog')).rejects.toThrow('catalog: waiting for db, auth to be Healthy');
  });

  it('syncs once its dependencies are Healthy; a dependency baton does not know does not block', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('auth'), appSpec('catalog', { dependsOn: ['auth', 'external'] })]);
    w.state.status('auth').health = 'Healthy';
    expect((await w.run('catalog')).result).toBe('Succeeded');
  });

  it('the retry delay is the configured one', async () => {
    const w = syncWorld();
    w.ports.retryMs = 50;
    w.push('one', [appSpec('auth'), appSpec('catalog', { dependsOn: ['auth'] })]);
    expect(((await rejection(w.run('catalog'))) as RetryLaterError).data.delayMs).toBe(50);
  });
});

describe('sync: the cluster', () => {
  it('an app naming a cluster no kubeconfig defines fails, saying so, without a retry', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog', { cluster: 'prod-eu' })]);
    const outcome = await w.run('catalog');
    const message = 'cannot sync to cluster "prod-eu": cluster "prod-eu" is not a context in /home/me/.kube/config; known contexts: (none)';
    expect(outcome).toEqual({ result: 'Failed', revision: head, message });
    expect(w.state.status('catalog')).toMatchObject({ syncStatus: 'Unknown', health: 'Unknown', message, observedRevision: head });
    expect(w.renderer.renders).toEqual([]);
    expect(w.state.history.get('catalog')).toBeUndefined();
  });

  it('the built-in runtime still starting is waited for: a delayed retry, nothing written', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    w.clusters.localStarting = true;
    const err = await rejection(w.run('catalog'));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect((err as Error).message).toContain('is the runtime running?');
    expect(w.state.writes).toEqual([]);
  });

  it('syncs to the cluster the app names', async () => {
    const w = syncWorld();
    const { FakeCluster } = await import('../../../support/fakes/fake-cluster.js');
    const prod = new FakeCluster('prod');
    w.clusters.clusters.set('prod', prod);
    w.push('one', [appSpec('catalog', { cluster: 'prod' })]);
    await w.run('catalog');
    expect(prod.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.cluster.names()).toEqual([]);
  });

  it('an unexpected error finding the cluster is thrown as it is', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    w.clusters.connect = () => {
      throw new TypeError('boom');
    };
    await expect(w.run('catalog')).rejects.toThrow(TypeError);
  });
});
