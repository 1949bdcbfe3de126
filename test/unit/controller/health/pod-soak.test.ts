import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { judgeSoak, soakSeconds, type PodMemory, type SoakMemory } from '../../../../controller/health/pod-soak.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

interface PodState {
  name?: string;
  /** Seconds after T0 the Ready condition last changed; undefined: no Ready condition. */
  readyAt?: number;
  ready?: boolean;
  restarts?: number;
  phase?: string;
  deleting?: boolean;
  /** The container's state says running. */
  running?: boolean;
}

function pod({ name = 'web-1', readyAt, ready = true, restarts = 0, phase = 'Running', deleting = false, running = false }: PodState): V1Pod {
  return {
    metadata: { name, uid: `uid-${name}`, ...(deleting ? { deletionTimestamp: new Date(T0) } : {}) },
    status: {
      phase,
      conditions: readyAt === undefined ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at(readyAt) as unknown as Date }],
      containerStatuses: [{ name: 'web', ready, restartCount: restarts, image: 'web', imageID: '', ...(running ? { state: { running: { startedAt: new Date(T0) } } } : {}) }],
    },
  };
}

/** Runs the gate's reads in order: each step is the pods seen `seconds` after T0. */
function soak(steps: Array<{ seconds: number; pods: PodState[] }>, soakMs = 5000) {
  let memory: SoakMemory = new Map<string, PodMemory>();
  let verdict;
  for (const step of steps) {
    ({ verdict, memory } = judgeSoak(step.pods.map(pod), memory, T0 + step.seconds * 1000, soakMs));
  }
  return verdict!;
}

describe('judgeSoak', () => {
  it.each([
    ['ready long enough at the first look (an unchanged template)', [{ seconds: 60, pods: [{ readyAt: 0 }, { name: 'web-2', readyAt: 10 }] }], { state: 'soaked' }],
    ['ready for 2 of 5 seconds: look again at 5s', [{ seconds: 3, pods: [{ readyAt: 1 }] }], { state: 'soaking', message: 'checking that the pods stay ready for 5s', until: T0 + 6000 }],
    ['ready, and still ready 5 seconds later', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 6, pods: [{ readyAt: 1 }] }], { state: 'soaked' }],
    ['one pod not ready yet: no end in sight', [{ seconds: 9, pods: [{ readyAt: 0 }, { name: 'web-2', readyAt: 8, ready: false }] }], { state: 'soaking', message: 'checking that the pods stay ready for 5s' }],
    ['ready, then not ready: the server exited', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 4, pods: [{ readyAt: 4, ready: false }] }], { state: 'failed', message: 'pod web-1 stopped being ready 3s after it became ready' }],
    ['ready, then ready again with a newer transition: it left Ready between two reads', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 5, pods: [{ readyAt: 4 }] }], { state: 'failed', message: 'pod web-1 stopped being ready, then became ready again' }],
    ['a container restarted while watched, though ready again', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 4, pods: [{ readyAt: 1, restarts: 1 }] }], { state: 'failed', message: 'pod web-1 restarted container web 1 time' }],
    ['restarts from before the gate looked do not count', [{ seconds: 2, pods: [{ readyAt: 1, restarts: 2 }] }, { seconds: 7, pods: [{ readyAt: 1, restarts: 2 }] }], { state: 'soaked' }],
    ['a restart of a pod never seen ready fails too', [{ seconds: 2, pods: [{ readyAt: 2, ready: false }] }, { seconds: 12, pods: [{ readyAt: 12, ready: false, restarts: 1 }] }], { state: 'failed', message: 'pod web-1 restarted container web 1 time' }],
    ['not ready with its container still running: a moment for the exit to show, looked at again when it ends', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 4, pods: [{ readyAt: 4, ready: false, running: true }] }], { state: 'soaking', message: 'checking that the pods stay ready for 5s', until: T0 + 6000 }],
    ['not ready, running, then the exit shows as a restart', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 4, pods: [{ readyAt: 4, ready: false, running: true }] }, { seconds: 5, pods: [{ readyAt: 4, ready: false, running: true, restarts: 1 }] }], { state: 'failed', message: 'pod web-1 restarted container web 1 time' }],
    ['not ready and still running once the moment is over', [{ seconds: 2, pods: [{ readyAt: 1 }] }, { seconds: 4, pods: [{ readyAt: 4, ready: false, running: true }] }, { seconds: 6, pods: [{ readyAt: 4, ready: false, running: true }] }], { state: 'failed', message: 'pod web-1 stopped being ready 3s after it became ready' }],
    ['a failed pod', [{ seconds: 2, pods: [{ readyAt: 1, ready: false, phase: 'Failed' }] }], { state: 'failed', message: 'pod web-1 failed' }],
    ['a completed pod counts as done', [{ seconds: 2, pods: [{ readyAt: 1, ready: false, phase: 'Succeeded' }] }], { state: 'soaked' }],
    ['a pod being deleted is not judged', [{ seconds: 2, pods: [{ readyAt: 1, ready: false, deleting: true }, { name: 'web-2', readyAt: 0 }] }, { seconds: 6, pods: [{ name: 'web-2', readyAt: 0 }] }], { state: 'soaked' }],
    ['a Ready condition in the future (cluster clock ahead) counts from now', [{ seconds: 2, pods: [{ readyAt: 30 }] }, { seconds: 6, pods: [{ readyAt: 30 }] }], { state: 'soaking', until: T0 + 7000 }],
  ] as const)('%s', (_name, steps, expected) => {
    expect(soak(steps as never)).toEqual(expect.objectContaining(expected));
  });

  it('names every pod that did not stay ready', () => {
    const verdict = soak([
      { seconds: 2, pods: [{ readyAt: 1 }, { name: 'web-2', readyAt: 1 }] },
      { seconds: 4, pods: [{ readyAt: 1, restarts: 1 }, { name: 'web-2', readyAt: 4, ready: false }] },
    ]);
    expect(verdict).toMatchObject({
      state: 'failed',
      message: 'pod web-1 restarted container web 1 time; pod web-2 stopped being ready 3s after it became ready',
      pods: [{ pod: 'web-1', container: 'web' }, { pod: 'web-2' }],
    });
  });

  it('waits as long as the longer of minReadySeconds and 5 seconds', () => {
    expect(soakSeconds({})).toBe(5);
    expect(soakSeconds({ spec: { minReadySeconds: 2 } })).toBe(5);
    expect(soakSeconds({ spec: { minReadySeconds: 30 } })).toBe(30);
    expect(soak([{ seconds: 10, pods: [{ readyAt: 1 }] }], 30_000)).toMatchObject({ state: 'soaking', until: T0 + 31_000 });
  });
});
