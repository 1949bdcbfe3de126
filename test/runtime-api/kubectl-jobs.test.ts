import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const ns = `jobs-${process.pid}`;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, ['-n', ns, ...args]);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', ns]);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

function jobManifest(name: string, script: string, backoffLimit: number): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  backoffLimit: ${backoffLimit}
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, '${script}']
`;
}

describe('Jobs and CronJobs with kubectl and process pods', () => {
  it('a Job whose pod exits 0 completes, and keeps its finished pod', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], jobManifest('ok', 'echo done', 6));
    expect(await k('wait', '--for=condition=complete', 'job/ok', '--timeout=60s')).toContain('condition met');
    const table = await k('get', 'job', 'ok');
    expect(table.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/);
    expect(table.split('\n')[1]).toMatch(/^ok\s+Complete\s+1\/1\s+\S+/);
    const job = JSON.parse(await k('get', 'job', 'ok', '-o', 'json'));
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    expect(job.status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(job.status.startTime).toBeDefined();
    expect(job.status.completionTime).toBeDefined();
    const pods = JSON.parse(await k('get', 'pods', '-l', 'batch.kubernetes.io/job-name=ok', '-o', 'json')).items;
    expect(pods.map((p: any) => p.status.phase)).toEqual(['Succeeded']);
    expect(await k('logs', 'job/ok')).toContain('done');
  });

  it('a Job whose pods always fail stops at backoffLimit with Failed/BackoffLimitExceeded', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], jobManifest('bad', 'exit 3', 1));
    // Two failures: the first, then its replacement after the 10 s pod back-off.
    expect(await k('wait', '--for=condition=failed', 'job/bad', '--timeout=90s')).toContain('condition met');
    const job = JSON.parse(await k('get', 'job', 'bad', '-o', 'json'));
    expect(job.status.failed).toBe(2);
    expect(job.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect((await k('get', 'job', 'bad')).split('\n')[1]).toMatch(/^bad\s+Failed\s+0\/1/);
  }, 120_000);

  it('refuses restartPolicy Always, and Indexed completion without completions, with 422', async () => {
    const always = await kubectl(rt.kubeconfig, ['-n', ns, 'apply', '-f', '-'], jobManifest('always', 'true', 1).replace('restartPolicy: Never', 'restartPolicy: Always'));
    expect(always.stderr).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    const indexed = await kubectl(rt.kubeconfig, ['-n', ns, 'apply', '-f', '-'], jobManifest('indexed', 'true', 1).replace('backoffLimit: 1', 'backoffLimit: 1\n  parallelism: 2\n  completionMode: Indexed'));
    expect(indexed.stderr).toContain('spec.completions: Required value: when completion mode is Indexed');
  });

  it('an Indexed Job runs each index once, with JOB_COMPLETION_INDEX', async () => {
    const manifest = jobManifest('indexed', 'echo index=$JOB_COMPLETION_INDEX', 1).replace('backoffLimit: 1', 'backoffLimit: 1\n  completions: 3\n  parallelism: 2\n  completionMode: Indexed');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    expect(await k('wait', '--for=condition=complete', 'job/indexed', '--timeout=60s')).toContain('condition met');
    const job = JSON.parse(await k('get', 'job', 'indexed', '-o', 'json'));
    expect(job.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    const pods = JSON.parse(await k('get', 'pods', '-l', 'batch.kubernetes.io/job-name=indexed', '-o', 'json')).items;
    const byIndex = pods.map((p: any) => [p.metadata.annotations['batch.kubernetes.io/job-completion-index'], p.spec.hostname, p.metadata.name.startsWith(`indexed-${p.metadata.annotations['batch.kubernetes.io/job-completion-index']}-`)]);
    expect(byIndex.sort()).toEqual([['0', 'indexed-0', true], ['1', 'indexed-1', true], ['2', 'indexed-2', true]]);
    const logs = await Promise.all(pods.map((p: any) => k('logs', p.metadata.name)));
    expect(logs.map((l) => l.trim()).sort()).toEqual(['index=0', 'index=1', 'index=2']);
  });

  it('kubectl create job, create cronjob and create job --from=cronjob work', async () => {
    await k('create', 'job', 'made', '--image=busybox', '--', 'sh', '-c', 'exit 0');
    await k('create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *', '--', 'sh', '-c', 'echo from-cron');
    const cron = (await k('get', 'cronjob', 'nightly')).split('\n');
    expect(cron[0]).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE/);
    expect(cron[1]).toMatch(/^nightly\s+0 3 \* \* \*\s+<none>\s+False\s+0\s+<none>/);
    await k('create', 'job', 'by-hand', '--from=cronjob/nightly');
    expect(await k('wait', '--for=condition=complete', 'job/made', 'job/by-hand', '--timeout=60s')).toContain('condition met');
    const job = JSON.parse(await k('get', 'job', 'by-hand', '-o', 'json'));
    expect(job.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'nightly' });
    expect(await k('logs', 'job/by-hand')).toContain('from-cron');
  });

  it('suspend holds a Job without pods until resumed; ttlSecondsAfterFinished then deletes it', async () => {
    const manifest = jobManifest('later', 'exit 0', 1).replace('backoffLimit: 1', 'backoffLimit: 1\n  suspend: true\n  ttlSecondsAfterFinished: 1');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    expect(await k('wait', '--for=condition=suspended', 'job/later', '--timeout=30s')).toContain('condition met');
    expect((await k('get', 'job', 'later')).split('\n')[1]).toMatch(/^later\s+Suspended\s+0\/1/);
    expect(await k('get', 'pods', '-l', 'batch.kubernetes.io/job-name=later', '-o', 'name')).toBe('');
    await k('patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}');
    await k('wait', '--for=delete', 'job/later', '--timeout=60s');
    expect((await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'job', 'later'])).stderr).toContain('jobs.batch "later" not found');
  });

  it('with restartPolicy OnFailure, container restarts count against backoffLimit', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], jobManifest('restarts', 'exit 1', 1).replace('restartPolicy: Never', 'restartPolicy: OnFailure'));
    expect(await k('wait', '--for=condition=failed', 'job/restarts', '--timeout=90s')).toContain('condition met');
    const job = JSON.parse(await k('get', 'job', 'restarts', '-o', 'json'));
    expect(job.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded' });
  }, 120_000);

  it('a bad schedule or time zone is refused with 422', async () => {
    const bad = await kubectl(rt.kubeconfig, ['-n', ns, 'create', 'cronjob', 'bad', '--image=busybox', '--schedule=61 * * * *', '--', 'true']);
    expect(bad.stderr).toContain('spec.schedule: Invalid value: "61 * * * *"');
    const zone = await kubectl(rt.kubeconfig, ['-n', ns, 'apply', '-f', '-'], `apiVersion: batch/v1
kind: CronJob
metadata:
  name: zoned
spec:
  schedule: "0 * * * *"
  timeZone: Mars/Olympus
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            image: busybox
`);
    expect(zone.stderr).toContain('spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus');
  });
});
