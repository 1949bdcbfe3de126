import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { podSummary } from '../../../../../runtime/api/printing/pod-status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function pod(spec: any, status: any, deletionTimestamp?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', deletionTimestamp }, spec, status };
}

const two = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] };
const one = { containers: [{ name: 'a', image: 'x' }] };
const withInit = { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }], containers: [{ name: 'a', image: 'x' }] };
const running = (name: string, ready = true) => ({ name, ready, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } });
const waiting = (name: string, reason: string, restartCount = 0) => ({ name, ready: false, restartCount, state: { waiting: { reason } } });
const terminated = (name: string, t: any, restartCount = 0) => ({ name, ready: false, restartCount, state: { terminated: t } });

describe('podSummary follows kubectl get pods', () => {
  const cases: Array<[string, KubeObject, { ready: string; status: string; restarts: string }]> = [
    ['a new pod is Pending', pod(one, { phase: 'Pending' }), { ready: '0/1', status: 'Pending', restarts: '0' }],
    ['all containers ready', pod(two, { phase: 'Running', containerStatuses: [running('a'), running('b')] }), { ready: '2/2', status: 'Running', restarts: '0' }],
    [
      'a crash-looping container shows its waiting reason and restarts with age',
      pod(two, {
        phase: 'Running',
        containerStatuses: [
          { ...waiting('a', 'CrashLoopBackOff', 5), lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:09:15Z' } } },
          running('b'),
        ],
      }),
      { ready: '1/2', status: 'CrashLoopBackOff', restarts: '5 (45s ago)' },
    ],
    ['a terminated container with a reason', pod(one, { phase: 'Failed', containerStatuses: [terminated('a', { exitCode: 1, reason: 'Error' })] }), { ready: '0/1', status: 'Error', restarts: '0' }],
    ['a terminated container without a reason shows its exit code', pod(one, { phase: 'Running', containerStatuses: [terminated('a', { exitCode: 3 })] }), { ready: '0/1', status: 'ExitCode:3', restarts: '0' }],
    ['a container killed by a signal', pod(one, { phase: 'Running', containerStatuses: [terminated('a', { exitCode: 137, signal: 9 })] }), { ready: '0/1', status: 'Signal:9', restarts: '0' }],
    ['a finished pod is Completed', pod(one, { phase: 'Succeeded', containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' })] }), { ready: '0/1', status: 'Completed', restarts: '0' }],
    [
      'Completed while another container still runs and the pod is not ready is NotReady',
      pod(two, { phase: 'Running', containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' }), running('b')] }),
      { ready: '1/2', status: 'NotReady', restarts: '0' },
    ],
    [
      'Completed while another container runs and the pod is ready is Running',
      pod(two, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' }), running('b')] }),
      { ready: '1/2', status: 'Running', restarts: '0' },
    ],
    ['init containers in progress', pod(withInit, { phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 0 }), waiting('i2', 'PodInitializing')] }), { ready: '0/1', status: 'Init:1/2', restarts: '0' }],
    ['a crash-looping init container', pod(withInit, { phase: 'Pending', initContainerStatuses: [waiting('i1', 'CrashLoopBackOff', 2)] }), { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '2' }],
    ['a failed init container', pod(withInit, { phase: 'Pending', initContainerStatuses: [terminated('i1', { exitCode: 2, reason: 'Error' })] }), { ready: '0/1', status: 'Init:Error', restarts: '0' }],
    ['an image pull problem', pod(one, { phase: 'Pending', containerStatuses: [waiting('a', 'ImagePullBackOff')] }), { ready: '0/1', status: 'ImagePullBackOff', restarts: '0' }],
    ['a deleting pod is Terminating', pod(one, { phase: 'Running', containerStatuses: [running('a')] }, '2026-01-01T00:09:00Z'), { ready: '1/1', status: 'Terminating', restarts: '0' }],
    ['a deleted pod that already finished keeps its phase', pod(one, { phase: 'Succeeded', containerStatuses: [terminated('a', { exitCode: 0, reason: 'Completed' })] }, '2026-01-01T00:09:00Z'), { ready: '0/1', status: 'Completed', restarts: '0' }],
    ['status.reason wins over the phase', pod(one, { phase: 'Failed', reason: 'Evicted' }), { ready: '0/1', status: 'Evicted', restarts: '0' }],
    ['a scheduling gate', pod(one, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), { ready: '0/1', status: 'SchedulingGated', restarts: '0' }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(podSummary(input, NOW)).toEqual(expected));
  }
});
