import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileCronJob } from '../../runtime/controllers/cronjob/cronjob-controller.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { createNamespace, uniqueNamespace } from './fake-kubelet.js';

let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await openLocalCluster();
});

afterAll(async () => {
  await cluster.close();
});

function cronJob(ns: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: ns },
    spec: {
      schedule: '*/1 * * * *',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

async function jobsIn(ns: string): Promise<KubeObject[]> {
  return (await cluster.list(resources.jobs, { namespace: ns })).items.sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

async function complete(job: KubeObject, at: Date): Promise<void> {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  await cluster.update(resources.jobs, { ...job, status: { startTime: stamp, completionTime: stamp, succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }, { status: true });
}

describe('CronJob controller on an injected clock', () => {
  it('starts a Job each minute of */1 * * * *, tracks it, and keeps 3 successful Jobs', async () => {
    const ns = uniqueNamespace('cron');
    await createNamespace(cluster, ns);
    const created = await cluster.create(resources.cronjobs, cronJob(ns));
    // The minute after creation, then one minute at a time: no real waiting.
    const minute = Math.floor(Date.parse(created.metadata.creationTimestamp!) / 60_000) + 1;
    const clock = (m: number, s = 5) => new Date((minute + m) * 60_000 + s * 1000);
    const key = `${ns}/tick`;

    const early = await reconcileCronJob({ cluster, now: new Date(minute * 60_000 - 1000) }, key);
    expect(await jobsIn(ns)).toHaveLength(0);
    expect(early.requeueAfterMs).toBe(1100);

    await reconcileCronJob({ cluster, now: clock(0) }, key);
    let jobs = await jobsIn(ns);
    expect(jobs.map((j) => j.metadata.name)).toEqual([`tick-${minute}`]);
    expect(jobs[0].metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'tick', controller: true });
    expect(jobs[0].metadata.labels).toMatchObject({ app: 'tick' });
    expect(jobs[0].metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(new Date(minute * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    expect(jobs[0].spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
    let cj = await cluster.get(resources.cronjobs, ns, 'tick');
    expect(cj.status.active.map((r: { name: string }) => r.name)).toEqual([`tick-${minute}`]);
    expect(cj.status.lastScheduleTime).toBe(new Date(minute * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));

    // The same minute again makes nothing new.
    await reconcileCronJob({ cluster, now: clock(0, 30) }, key);
    expect(await jobsIn(ns)).toHaveLength(1);

    for (let m = 1; m <= 4; m++) {
      for (const job of await jobsIn(ns)) if (!job.status?.completionTime) await complete(job, clock(m - 1, 30));
      await reconcileCronJob({ cluster, now: clock(m) }, key);
    }
    jobs = await jobsIn(ns);
    // Five made, the oldest successful one trimmed; the newest still running.
    expect(jobs.map((j) => j.metadata.name)).toEqual([1, 2, 3, 4].map((m) => `tick-${minute + m}`));
    cj = await cluster.get(resources.cronjobs, ns, 'tick');
    expect(cj.status.active.map((r: { name: string }) => r.name)).toEqual([`tick-${minute + 4}`]);
    expect(cj.status.lastSuccessfulTime).toBe(clock(3, 30).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('Forbid waits for the running Job and then starts the missed run', async () => {
    const ns = uniqueNamespace('cron-forbid');
    await createNamespace(cluster, ns);
    const created = await cluster.create(resources.cronjobs, cronJob(ns, { concurrencyPolicy: 'Forbid' }));
    const minute = Math.floor(Date.parse(created.metadata.creationTimestamp!) / 60_000) + 1;
    const clock = (m: number) => new Date((minute + m) * 60_000 + 5000);
    const key = `${ns}/tick`;
    await reconcileCronJob({ cluster, now: clock(0) }, key);
    await reconcileCronJob({ cluster, now: clock(1) }, key);
    expect((await jobsIn(ns)).map((j) => j.metadata.name)).toEqual([`tick-${minute}`]);
    await complete((await jobsIn(ns))[0], clock(1));
    await reconcileCronJob({ cluster, now: clock(1) }, key);
    expect((await jobsIn(ns)).map((j) => j.metadata.name)).toEqual([`tick-${minute}`, `tick-${minute + 1}`]);
  });

  it('suspend starts nothing', async () => {
    const ns = uniqueNamespace('cron-suspend');
    await createNamespace(cluster, ns);
    const created = await cluster.create(resources.cronjobs, cronJob(ns, { suspend: true }));
    const minute = Math.floor(Date.parse(created.metadata.creationTimestamp!) / 60_000) + 1;
    await reconcileCronJob({ cluster, now: new Date((minute + 3) * 60_000) }, `${ns}/tick`);
    expect(await jobsIn(ns)).toHaveLength(0);
  });
});
