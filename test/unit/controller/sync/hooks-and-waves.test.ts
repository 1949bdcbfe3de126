import { describe, expect, it } from 'vitest';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { appSpec, syncWorld } from '../../../support/fakes/sync-world.js';

const REASON = 'Deployment catalog/catalog did not become healthy within 120s';

function job(name: { name?: string; generateName?: string }, annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { ...name, annotations }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'tools:1' }] } } } };
}

const migrate = job({ generateName: 'migrate-' }, { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' });
const smoke = job({ name: 'smoke-test' }, { 'argocd.argoproj.io/hook': 'PostSync' });
const cleanup = job({ name: 'cleanup' }, { 'argocd.argoproj.io/hook': 'SyncFail' });
const helmMigrate = job({ name: 'helm-migrate' }, { 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '-1' });

describe('sync: Argo CD hooks and sync waves', () => {
  it('PreSync hooks run before anything is applied, PostSync hooks after the gate; hooks are not the app live state', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    w.renderer.addObjects(one, [migrate, smoke]);
    const outcome = await w.run('catalog');
    expect(outcome).toEqual({ result: 'Succeeded', revision: one });
    expect(w.cluster.calls).toEqual(['hooks PreSync migrate-', `apply ${one}`, `gate ${one}`, 'hooks PostSync smoke-test']);
    // Neither applied as app objects nor kept for rollbacks.
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect((await w.state.getHealthyManifests('catalog'))!.objects.map((o) => o.kind)).not.toContain('Job');
  });

  it('a failed PreSync hook ends the sync with nothing applied; SyncFail hooks run; the revision waits for a new commit', async () => {
    const w = syncWorld();
    const good = w.push('good', [appSpec('catalog')]);
    await w.run('catalog');
    const bad = w.push('bad', [appSpec('catalog')]);
    w.renderer.addObjects(bad, [migrate, cleanup]);
    w.cluster.failHook('migrate-', 'BackoffLimitExceeded: Job has reached the specified backoff limit');
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog');
    const message = `${shortRevision(bad)} failed before anything was applied: PreSync hook Job migrate-x1y2z failed: BackoffLimitExceeded: Job has reached the specified backoff limit`;
    expect(outcome).toEqual({ result: 'Failed', revision: good, message });
    expect(w.cluster.calls).toEqual(['hooks PreSync migrate-', 'hooks SyncFail cleanup']);
    expect(w.cluster.get('ConfigMap', 'catalog', 'catalog-config')?.data).toEqual({ content: good });
    expect(w.state.status('catalog')).toMatchObject({ revision: good, syncStatus: 'OutOfSync', message, lastFailedRevision: bad });
    expect(w.state.history.get('catalog')![0]).toMatchObject({ revision: bad, result: 'Failed', message });
    expect((await w.run('catalog')).message).toBe(`${shortRevision(bad)} failed before; waiting for a new commit`);
  });

  it('a failed PostSync hook fails the revision: SyncFail hooks run and the last healthy revision is rolled back to', async () => {
    const w = syncWorld();
    const good = w.push('good', [appSpec('catalog')]);
    await w.run('catalog');
    const bad = w.push('bad', [appSpec('catalog')]);
    w.renderer.addObjects(bad, [smoke, cleanup]);
    w.cluster.failHook('smoke-test', 'DeadlineExceeded: Job was active longer than specified deadline');
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('RolledBack');
    expect(outcome.revision).toBe(good);
    expect(outcome.message).toContain('PostSync hook Job smoke-test failed: DeadlineExceeded');
    expect(w.cluster.calls).toEqual([`apply ${bad}`, `gate ${bad}`, 'hooks PostSync smoke-test', 'hooks SyncFail cleanup', `rollback ${good}`]);
    expect(w.state.healthy.get('catalog')!.map((m) => m.revision)).toEqual([good]);
  });

  it('a failed gate runs the SyncFail hooks but never the PostSync ones', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    w.renderer.addObjects(one, [smoke, cleanup]);
    w.cluster.gateFor(one, { healthy: false, reason: REASON });
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Failed');
    expect(w.cluster.calls).toEqual([`apply ${one}`, `gate ${one}`, 'hooks SyncFail cleanup']);
  });

  it('Helm pre-install/pre-upgrade hooks run as PreSync; a Helm test hook and an Argo CD Skip object are never applied', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    const test = job({ name: 'chart-test' }, { 'helm.sh/hook': 'test' });
    const skipped: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-this', annotations: { 'argocd.argoproj.io/hook': 'Skip' } }, data: {} };
    w.renderer.addObjects(one, [helmMigrate, test, skipped]);
    await w.run('catalog');
    expect(w.cluster.calls[0]).toBe('hooks PreSync helm-migrate');
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
  });

  it('sync waves: a lower wave is applied and healthy before the next, and only the last apply prunes', async () => {
    const w = syncWorld();
    const one = w.push('one', [appSpec('catalog')]);
    const db: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-schema', annotations: { 'argocd.argoproj.io/sync-wave': '-1' } }, data: {} };
    w.renderer.addObjects(one, [db]);
    await w.run('catalog');
    expect(w.cluster.calls).toEqual([`apply ${one}`, `gate ${one}`, `apply ${one}`, `gate ${one}`]);
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'ConfigMap/db-schema', 'Deployment/catalog']);
  });

  it('a wave that does not become healthy stops the sync before the next wave is applied', async () => {
    const w = syncWorld();
    const good = w.push('good', [appSpec('catalog')]);
    await w.run('catalog');
    const bad = w.push('bad', [appSpec('catalog')]);
    const late: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', annotations: { 'argocd.argoproj.io/sync-wave': '5' } }, data: {} };
    w.renderer.addObjects(bad, [late]);
    w.cluster.gateFor(bad, { healthy: false, reason: REASON });
    w.cluster.calls.length = 0;
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('RolledBack');
    expect(outcome.message).toContain(`sync wave 0: ${REASON}`);
    expect(w.cluster.calls).toEqual([`apply ${bad}`, `gate ${bad}`, `rollback ${good}`]);
    expect(w.cluster.get('ConfigMap', 'catalog', 'late')).toBeUndefined();
  });
});
