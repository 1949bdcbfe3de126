import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../../../runtime/objects/cluster.js';
import type { KubeObject, WatchEvent } from '../../../../runtime/kube/object.js';
import { resources } from '../../../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../../../runtime/store/index.js';
import { done, requeueAfter, startReconciler, type RunningReconciler } from '../../../../runtime/controllers/reconciler.js';
import { TerminalError } from '../../../../runtime/kube/reconcile/terminal-error.js';
import { waitFor } from '../../../support/wait.js';

const quiet = { error() {}, warn() {}, debug() {} };

function configMap(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

describe('startReconciler', () => {
  let cluster: LocalCluster;
  let running: RunningReconciler | undefined;
  afterEach(async () => {
    await running?.stop();
    await cluster?.close();
  });

  it('reconciles existing and changed objects, retries errors with back-off, and does not retry a TerminalError', async () => {
    cluster = await openLocalCluster();
    await cluster.create(resources.configmaps, configMap('existing'));
    const seen: string[] = [];
    let flaky = 0;
    let terminal = 0;
    running = await startReconciler({
      name: 'test',
      cluster,
      primary: resources.configmaps,
      logger: quiet,
      async reconcile(key) {
        seen.push(key);
        if (key === 'default/flaky' && ++flaky < 3) throw new Error('not yet');
        if (key === 'default/bad') {
          terminal++;
          throw new TerminalError('cannot fix itself');
        }
        return done;
      },
    });
    await waitFor('initial list', () => seen.includes('default/existing'), { timeoutMs: 10_000, intervalMs: 10 });
    await cluster.create(resources.configmaps, configMap('flaky'));
    await cluster.create(resources.configmaps, configMap('bad'));
    await waitFor('flaky retried until it succeeds', () => flaky === 3, { timeoutMs: 10_000, intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 200));
    expect(terminal).toBe(1);
  });

  it('requeues after the asked delay', async () => {
    cluster = await openLocalCluster();
    await cluster.create(resources.configmaps, configMap('tick'));
    let runs = 0;
    running = await startReconciler({
      name: 'test',
      cluster,
      primary: resources.configmaps,
      logger: quiet,
      reconcile: async () => (++runs < 3 ? requeueAfter(20) : done),
    });
    await waitFor('three runs', () => runs === 3, { timeoutMs: 10_000, intervalMs: 10 });
  });

  it('relists after a watch error and reconciles what changed while the watch was down', async () => {
    cluster = await openLocalCluster();
    const handlers: Array<(e: WatchEvent) => void> = [];
    let dropping = false;
    const flaky: Cluster = {
      get: (...a) => cluster.get(...a),
      list: (...a) => cluster.list(...a),
      create: (...a) => cluster.create(...a),
      update: (...a) => cluster.update(...a),
      delete: (...a) => cluster.delete(...a),
      async watch(type, options, onEvent) {
        dropping = false;
        const h = (e: WatchEvent) => {
          if (!dropping) onEvent(e);
        };
        handlers.push(onEvent);
        return cluster.watch(type, options, h);
      },
    };
    const seen = new Set<string>();
    running = await startReconciler({
      name: 'test',
      cluster: flaky,
      primary: resources.configmaps,
      logger: quiet,
      resyncMs: 3_600_000,
      async reconcile(key) {
        seen.add(key);
        return done;
      },
    });
    dropping = true;
    await cluster.create(resources.configmaps, configMap('missed'));
    expect(seen.has('default/missed')).toBe(false);
    handlers[0]({ type: 'ERROR', object: { apiVersion: 'v1', kind: 'Status', metadata: {}, code: 410, reason: 'Expired' } });
    await waitFor('relist after the watch error', () => seen.has('default/missed'), { timeoutMs: 10_000, intervalMs: 10 });
    expect(handlers.length).toBe(2);
  });
});
