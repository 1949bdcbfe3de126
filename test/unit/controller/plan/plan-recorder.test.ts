import { describe, expect, it } from 'vitest';
import type { RenderPlan } from '../../../../controller/plan/plan-app.js';
import { PlanRecorder } from '../../../../controller/plan/plan-recorder.js';
import { PlannedRenders } from '../../../../controller/plan/planned-renders.js';
import type { SyncJobData } from '../../../../controller/queue/sync-job.js';
import { initialAppStatus, type AppStatus } from '../../../../controller/state/app-status.js';
import { appSpec, commitId } from '../../../support/fakes/sync-world.js';

const commit = commitId('one');

function renderPlan(name: string): RenderPlan {
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: name } };
  return { action: 'render', objects: [{ object, source: { file: `apps/${name}/cm.yaml`, line: 1 }, digest: name }], digest: `digest-${name}`, sameDigest: false, inputsKey: `sha256:${name}` };
}

describe('PlanRecorder hands renders to the worker', () => {
  it('for the syncs it queues, before queueing them, and not for apps it only records', async () => {
    const planned = new PlannedRenders();
    const statuses = new Map<string, AppStatus>([
      ['catalog', initialAppStatus({ name: 'catalog', namespace: 'catalog', cluster: 'local' })],
      ['manual', initialAppStatus({ name: 'manual', namespace: 'manual', cluster: 'local' })],
    ]);
    const handedAtEnqueue: (string | undefined)[] = [];
    const recorder = new PlanRecorder({
      state: { getApps: async (names) => names.map((n) => statuses.get(n)), updateApps: async (patches) => patches.map(() => true) },
      queue: {
        enqueueAll: async (jobs: Omit<SyncJobData, 'seq' | 'requestedAt'>[]) => {
          for (const job of jobs) handedAtEnqueue.push(planned.take(job.app, job.revision)?.digest);
          return [];
        },
      } as never,
      commit,
      log: () => undefined,
      planned,
      recorded: () => undefined,
      failed: async (_, err) => {
        throw err;
      },
    });
    await recorder.add(appSpec('catalog'), renderPlan('catalog'));
    await recorder.add(appSpec('manual', { syncPolicy: { ...appSpec('manual').syncPolicy, automated: false } }), renderPlan('manual'));
    await recorder.done();
    expect(handedAtEnqueue).toEqual(['digest-catalog']);
    expect(planned.size).toBe(0);
  });
});
