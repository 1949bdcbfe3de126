import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { assessAppHealth, objectHealth } from '../../../../controller/health/assess-health.js';
import type { ClusterTarget } from '../../../../controller/clusters/cluster-target.js';
import { podTrouble } from '../../../../controller/health/pod-trouble.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000);

function pod(container: Partial<V1ContainerStatus>, phase = 'Running'): V1Pod {
  const ready = container.ready ?? false;
  return {
    kind: 'Pod',
    metadata: { name: 'web-abc' },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'web', image: 'web', imageID: '', restartCount: 0, ready, ...container }] },
  };
}

const crashed = { terminated: { exitCode: 3, reason: 'Error' } } as V1ContainerStatus['lastState'];

describe('podTrouble', () => {
  it.each([
    ['starting: running, not ready yet', pod({ state: { running: { startedAt: ago(2) } } }), undefined],
    ['ready', pod({ ready: true, state: { running: { startedAt: ago(300) } } }), undefined],
    ['crash-looping', pod({ restartCount: 2, lastState: crashed, state: { waiting: { reason: 'CrashLoopBackOff' } } }), 'pod web-abc: container web is crash-looping (CrashLoopBackOff): last exit code 3 (Error), restarted 2 times'],
    ['just exited with an error', pod({ state: { terminated: { exitCode: 3, reason: 'Error' } } }), 'pod web-abc: container web exited with exit code 3 (Error)'],
    ['restarted and not ready again', pod({ restartCount: 1, lastState: crashed, state: { running: { startedAt: ago(1) } } }), 'pod web-abc: container web is running but not ready (restarted 1 time, last exit code 3 (Error))'],
    ['restarted and ready again moments ago', pod({ ready: true, restartCount: 1, lastState: crashed, state: { running: { startedAt: ago(2) } } }), 'pod web-abc: container web restarted 1 time, last exit code 3 (Error); running again for 2s'],
    ['restarted long ago and ready since', pod({ ready: true, restartCount: 1, lastState: crashed, state: { running: { startedAt: ago(600) } } }), undefined],
    ['failed', { ...pod({}), status: { phase: 'Failed', reason: 'Evicted' } }, 'pod web-abc failed (Evicted)'],
    ['completed', pod({ state: { terminated: { exitCode: 0 } } }, 'Succeeded'), undefined],
    ['being deleted', { ...pod({ state: { waiting: { reason: 'CrashLoopBackOff' } } }), metadata: { name: 'web-abc', deletionTimestamp: ago(1) } }, undefined],
  ] as const)('%s', (_name, p, expected) => {
    expect(podTrouble(p as V1Pod, NOW)).toBe(expected);
  });
});

describe('objectHealth of a workload and its pods', () => {
  const rolledOut = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation: 2 }, spec: { replicas: 1 }, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } };
  const waiting = { ...rolledOut, status: { ...rolledOut.status, availableReplicas: 0 } };
  const looping = pod({ restartCount: 4, lastState: crashed, state: { waiting: { reason: 'CrashLoopBackOff' } } });

  it.each([
    ['rolled out, pods ready', rolledOut, [pod({ ready: true, state: { running: { startedAt: ago(300) } } })], 'Healthy', '1 of 1 replicas available'],
    ['not available yet, pods starting', waiting, [pod({ state: { running: { startedAt: ago(1) } } })], 'Progressing', '0 of 1 updated replicas are available'],
    ['not available, pods crash-looping: Degraded, not Progressing', waiting, [looping], 'Degraded', 'pod web-abc: container web is crash-looping (CrashLoopBackOff): last exit code 3 (Error), restarted 4 times'],
    ['counts not caught up with a crash yet: Degraded, not Healthy', rolledOut, [looping], 'Degraded', 'pod web-abc: container web is crash-looping (CrashLoopBackOff): last exit code 3 (Error), restarted 4 times'],
    ['a bare pod crash-looping', looping, [], 'Degraded', 'container web is crash-looping (CrashLoopBackOff): last exit code 3 (Error), restarted 4 times'],
  ] as const)('%s', (_name, live, pods, status, message) => {
    expect(objectHealth(live as never, pods as readonly V1Pod[], NOW)).toEqual({ status, message });
  });
});

describe('assessAppHealth with objects already read (a drift check\'s)', () => {
  const config = (name: string, namespace = 'shop') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
  /** A target whose reads are counted: `a` exists, anything else answers 404 as the API does. */
  const counting = () => {
    const reads: string[] = [];
    const read = async (o: { metadata: { name: string } }) => {
      reads.push(o.metadata.name);
      if (o.metadata.name === 'a') return config('a');
      throw Object.assign(new Error('not found'), { code: 404, body: { kind: 'Status', reason: 'NotFound', code: 404 } });
    };
    return { reads, target: { name: 'local', objects: { read } } as unknown as ClusterTarget };
  };

  it('reads none of the objects it was given live', async () => {
    const { reads, target } = counting();
    expect(await assessAppHealth(target, [config('a'), config('b')], 'shop', [config('a'), config('b')])).toEqual({ status: 'Healthy', message: '' });
    expect(reads).toEqual([]);
  });

  it('reads the others, and a missing one makes the app Missing', async () => {
    const { reads, target } = counting();
    // Same name, other namespace: not the same object.
    expect((await assessAppHealth(target, [config('a'), config('b')], 'shop', [config('a'), config('b', 'other')])).status).toBe('Missing');
    expect(reads).toEqual(['b']);
  });
});
