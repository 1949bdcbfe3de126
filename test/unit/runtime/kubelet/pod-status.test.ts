import { describe, expect, it } from 'vitest';
import { podPhase, qosClass } from '../../../../runtime/kubelet/pod-status.js';

const running = { state: { running: { startedAt: 'x' } } };
const ok = { state: { terminated: { exitCode: 0 } } };
const failed = { state: { terminated: { exitCode: 1 } } };
const backingOff = { state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };
const creating = { state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} };

describe('podPhase (as the kubelet computes it)', () => {
  it.each([
    ['a running container', [running], 'Always', 'Running'],
    ['a container not yet started', [creating], 'Always', 'Pending'],
    ['one started, one not', [running, creating], 'Always', 'Pending'],
    ['a crash-looping container', [backingOff], 'Always', 'Running'],
    ['all succeeded, Never', [ok, ok], 'Never', 'Succeeded'],
    ['all succeeded, OnFailure', [ok], 'OnFailure', 'Succeeded'],
    ['one failed, Never', [ok, failed], 'Never', 'Failed'],
    ['one failed and restarting, OnFailure', [failed], 'OnFailure', 'Running'],
    ['exited 0 under Always (restarts)', [ok], 'Always', 'Running'],
  ])('%s', (_what, statuses, policy, phase) => {
    expect(podPhase(statuses, policy)).toBe(phase);
  });
});

describe('qosClass', () => {
  it.each([
    ['no resources', [{}], 'BestEffort'],
    ['limits equal requests', [{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }], 'Guaranteed'],
    ['limits only (requests default to them)', [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }], 'Guaranteed'],
    ['requests only', [{ resources: { requests: { memory: '64Mi' } } }], 'Burstable'],
    ['one container without limits', [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }, {}], 'Burstable'],
  ])('%s', (_what, containers, expected) => {
    expect(qosClass(containers)).toBe(expected);
  });
});
