import { describe, expect, it } from 'vitest';
import { ClusterRequestError } from '../../../../controller/clusters/cluster-request-error.js';
import { reconcileApp } from '../../../../controller/sync/reconcile-app.js';
import { readStatus } from '../../../../controller/sync/steps/read-status.js';
import { appSpec, syncWorld } from '../../../support/fakes/sync-world.js';

const unreachable = () => new ClusterRequestError('UNREACHABLE', 'cluster "local" does not answer: connect ECONNREFUSED 127.0.0.1:7071', { cluster: 'local' });

describe('sync: errors that retry', () => {
  it('a cluster that does not answer during apply is thrown for the queue to retry; nothing is recorded', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    w.cluster.failNext(unreachable());
    await expect(w.run('catalog')).rejects.toBeInstanceOf(ClusterRequestError);
    expect(w.state.history.get('catalog')).toBeUndefined();
    expect(w.state.writes.map((x) => x.op)).toEqual(['update']);
  });

  it('a cluster error reading live objects is thrown before anything is applied', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    await w.run('catalog');
    w.source.setHead('shop', one);
    w.cluster.calls.length = 0;
    w.cluster.failNext(unreachable());
    await expect(w.run('catalog')).rejects.toThrow('does not answer');
    expect(w.cluster.calls).toEqual(['read']);
  });

  it('the retry after a transient error syncs normally', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    w.cluster.failNext(unreachable());
    await expect(w.run('catalog')).rejects.toThrow();
    expect(await w.run('catalog')).toEqual({ result: 'Succeeded', revision: head });
  });

  it('a Git error reading baton.yaml is thrown (retried) with nothing written', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const appConfig = w.source.appConfig.bind(w.source);
    w.source.appConfig = async () => {
      w.source.appConfig = appConfig;
      throw new Error('git: packfile truncated');
    };
    await expect(w.run('catalog')).rejects.toThrow('git: packfile truncated');
    expect(w.state.writes).toEqual([]);
  });
});

describe('sync: cancel', () => {
  it('a job aborted before it starts reads nothing', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const abort = new AbortController();
    abort.abort(new Error('worker closing'));
    await expect(w.run('catalog', { signal: abort.signal })).rejects.toThrow('worker closing');
    expect(w.source.resolved).toEqual([]);
  });

  it('an abort between steps stops before the next one', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const abort = new AbortController();
    const render = w.renderer.render.bind(w.renderer);
    w.renderer.render = async (...args) => {
      abort.abort(new Error('lock lost'));
      return render(...args);
    };
    await expect(w.run('catalog', { signal: abort.signal })).rejects.toThrow('lock lost');
    expect(w.cluster.calls).toEqual([]);
    expect(w.state.writes).toEqual([]);
  });

  it('an abort during apply stops between objects and records nothing', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const abort = new AbortController();
    w.cluster.onApplyObject = (o) => {
      if (o.kind === 'Deployment') abort.abort(new Error('worker closing'));
    };
    await expect(w.run('catalog', { signal: abort.signal })).rejects.toThrow('worker closing');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config']);
    expect(w.state.history.get('catalog')).toBeUndefined();
  });

  it('an abort during the health gate ends the wait and records nothing', async () => {
    const w = syncWorld();
    const head = w.push('one', [appSpec('catalog')]);
    w.cluster.gateFor(head, 'hang');
    const abort = new AbortController();
    const running = w.run('catalog', { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(w.cluster.calls).toEqual([`apply ${head}`, `gate ${head}`]);
    abort.abort(new Error('worker closing'));
    await expect(running).rejects.toThrow('worker closing');
    expect(w.state.history.get('catalog')).toBeUndefined();
    expect(w.state.healthy.get('catalog')).toBeUndefined();
  });
});

describe('sync: the step list', () => {
  it('steps that never conclude are a bug, said as such', async () => {
    const w = syncWorld();
    w.push('one', [appSpec('catalog')]);
    const sync = reconcileApp(w.ports, [readStatus]);
    await expect(sync({ app: 'catalog', revision: 'x', trigger: 'poll', seq: 1, requestedAt: '' }, { jobId: '1', attempt: 1, signal: new AbortController().signal })).rejects.toThrow(
      'sync of catalog: no step finished the sync',
    );
  });
});
