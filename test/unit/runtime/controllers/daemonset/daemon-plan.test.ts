import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { daemonSetStatus, planDaemonSet, REVISION_HASH_LABEL } from '../../../../../runtime/controllers/daemonset/daemon-plan.js';
import { nodeEligibility } from '../../../../../runtime/controllers/daemonset/node-eligibility.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const NOW = T0 + 600_000;

const node = (labels: Record<string, string> = {}, taints: unknown[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', ...labels } },
  spec: { taints },
});

function ds(strategy: Record<string, unknown> = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'd', namespace: 'ns', uid: 'u', generation: 2 },
    spec: { selector: { matchLabels: { app: 'd' } }, updateStrategy: strategy, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }], ...podSpec } } },
  };
}

let n = 0;
function pod(hash: string, opts: { ready?: boolean; phase?: string; createdS?: number; deleting?: boolean } = {}): KubeObject {
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${n++}`, namespace: 'ns', creationTimestamp: at(opts.createdS ?? n), labels: { app: 'd', [REVISION_HASH_LABEL]: hash }, ...(opts.deleting ? { deletionTimestamp: at(500) } : {}) },
    spec: { nodeName: 'n1' },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at(1) }] },
  };
}

const names = (pods: KubeObject[]) => pods.map((p) => p.metadata.name);

describe('which nodes run the daemon pod (NodeShouldRunDaemonPod)', () => {
  it.each([
    ['no constraints', {}, node(), true],
    ['a matching nodeSelector', { nodeSelector: { disk: 'ssd' } }, node({ disk: 'ssd' }), true],
    ['a nodeSelector the node lacks', { nodeSelector: { disk: 'ssd' } }, node(), false],
    ['required node affinity In', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } }, node({ zone: 'b' }), false],
    ['an untolerated NoSchedule taint', {}, node({}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), false],
    ['a tolerated NoSchedule taint', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }, node({}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), true],
    ['a PreferNoSchedule taint', {}, node({}, [{ key: 'x', effect: 'PreferNoSchedule' }]), true],
    ['the unschedulable taint, which daemon pods tolerate', {}, node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), true],
  ])('%s', (_what, podSpec, theNode, shouldRun) => {
    expect(nodeEligibility({ spec: podSpec }, theNode).shouldRun).toBe(shouldRun);
  });
});

describe('planDaemonSet', () => {
  it('creates the pod where none runs, and deletes it from a node that should not run it', () => {
    expect(planDaemonSet(ds(), [node()], [], 'h2', NOW)).toEqual({ deletes: [], createOn: ['n1'] });
    const p = pod('h2');
    expect(planDaemonSet(ds(undefined, { nodeSelector: { gpu: 'yes' } }), [node()], [p], 'h2', NOW)).toEqual({ deletes: [p], createOn: [] });
  });

  it('replaces a failed pod and keeps only the oldest of duplicates', () => {
    const failed = pod('h2', { phase: 'Failed' });
    expect(planDaemonSet(ds(), [node()], [failed], 'h2', NOW)).toEqual({ deletes: [failed], createOn: ['n1'] });
    const [older, newer] = [pod('h2', { createdS: 1 }), pod('h2', { createdS: 2 })];
    expect(names(planDaemonSet(ds(), [node()], [newer, older], 'h2', NOW).deletes)).toEqual([newer.metadata.name]);
  });

  it('RollingUpdate without surge deletes the available old pod (maxUnavailable 1); the new one is created once it is going', () => {
    const old = pod('h1');
    expect(planDaemonSet(ds(), [node()], [old], 'h2', NOW)).toEqual({ deletes: [old], createOn: [] });
    const going = pod('h1', { deleting: true });
    expect(planDaemonSet(ds(), [node()], [going], 'h2', NOW)).toEqual({ deletes: [], createOn: ['n1'] });
  });

  it('RollingUpdate with surge creates the new pod beside the old one and deletes the old one once the new is available', () => {
    const surge = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const old = pod('h1', { createdS: 1 });
    expect(planDaemonSet(surge, [node()], [old], 'h2', NOW)).toEqual({ deletes: [], createOn: ['n1'] });
    const starting = pod('h2', { createdS: 2, ready: false });
    expect(planDaemonSet(surge, [node()], [old, starting], 'h2', NOW)).toEqual({ deletes: [], createOn: [] });
    const ready = pod('h2', { createdS: 2 });
    expect(planDaemonSet(surge, [node()], [old, ready], 'h2', NOW)).toEqual({ deletes: [old], createOn: [] });
  });

  it('OnDelete leaves an old pod running', () => {
    expect(planDaemonSet(ds({ type: 'OnDelete' }), [node()], [pod('h1')], 'h2', NOW)).toEqual({ deletes: [], createOn: [] });
  });
});

describe('daemonSetStatus', () => {
  it('counts the oldest pod on each node, omitting zero optional counts as Kubernetes does', () => {
    const { status } = daemonSetStatus(ds(), [node()], [pod('h1', { createdS: 1 }), pod('h2', { createdS: 2 })], 'h2', NOW);
    expect(status).toEqual({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberMisscheduled: 0, numberReady: 1, numberAvailable: 1, observedGeneration: 2 });
    const none = daemonSetStatus(ds(undefined, { nodeSelector: { gpu: 'yes' } }), [node()], [], 'h2', NOW).status;
    expect(none).toEqual({ desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, observedGeneration: 2 });
  });
});
