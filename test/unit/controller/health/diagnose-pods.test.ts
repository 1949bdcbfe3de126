import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ClusterTarget } from '../../../../controller/clusters/cluster-target.js';
import { describe, expect, it } from 'vitest';
import { containerProblem, diagnosePods } from '../../../../controller/health/diagnose-pods.js';
import { selectorQuery, type LabelSelector } from '../../../../runtime/kube/label-selector.js';

const base = { name: 'web', image: 'web:1', imageID: '', ready: false, restartCount: 0 };

describe('containerProblem', () => {
  it.each<[string, Partial<V1ContainerStatus>, object | undefined]>([
    ['running and ready', { ready: true, state: { running: {} } }, undefined],
    [
      'crash-looping',
      { restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3, reason: 'Error' } } },
      { cause: 'CrashLoopBackOff', exitCode: 3, restarts: 2, message: 'container web is crash-looping (CrashLoopBackOff): last exit code 3 (Error), restarted 2 times' },
    ],
    ['exited for good', { state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }, { cause: 'Terminated', exitCode: 137, message: 'container web exited with exit code 137 (OOMKilled)' }],
    ['image not pulled', { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "web:1"' } } }, { cause: 'Waiting', message: 'container web is waiting: ImagePullBackOff: Back-off pulling image "web:1"' }],
    ['running, not ready', { state: { running: {} } }, { cause: 'NotReady', message: 'container web is running but not ready' }],
    [
      'running again after a crash',
      { restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1 } } },
      { cause: 'NotReady', exitCode: 1, message: 'container web is running but not ready (restarted 1 time, last exit code 1)' },
    ],
  ])('%s', (_name, status, expected) => {
    const problem = containerProblem({ ...base, ...status } as V1ContainerStatus);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatchObject(expected);
  });
});

describe('selectorQuery (the pods of a workload)', () => {
  it.each<[LabelSelector, string | undefined]>([
    [{ matchLabels: { app: 'web', tier: 'front' } }, 'app=web,tier=front'],
    [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] }, 'env in (a,b),!canary'],
    [{}, undefined],
  ])('%j → %s', (selector, expected) => {
    expect(selectorQuery(selector)).toBe(expected);
  });
});

describe('diagnosePods', () => {
  /** A cluster whose pod web-1 printed `previous` in its crashed run and `current` in the one now running. */
  const cluster = (current: string, previous: string) =>
    ({
      core: {
        readNamespacedPodLog: async (req: { previous?: boolean }) => (req.previous ? previous : current),
        listNamespacedEvent: async () => ({ items: [] }),
      },
    }) as unknown as ClusterTarget;
  const restartedPod: V1Pod = {
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: { containers: [{ name: 'web' }] },
    status: { containerStatuses: [{ ...base, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 3 } } }] },
  };

  it('quotes the crashed run when a restarted container has printed nothing yet', async () => {
    const [problem] = await diagnosePods(cluster('', 'fatal: lost the connection to the cache\n'), [restartedPod]);
    expect(problem).toMatchObject({ pod: 'web-1', exitCode: 3, logTail: ['fatal: lost the connection to the cache'] });
  });

  it('quotes the current run when it has something to say', async () => {
    const [problem] = await diagnosePods(cluster('warming up\n', 'fatal: lost the connection to the cache\n'), [restartedPod]);
    expect(problem.logTail).toEqual(['warming up']);
  });
});
