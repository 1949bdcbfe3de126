import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { unschedulableReason, type NodeResources } from '../../../../runtime/kubelet/scheduler.js';

const node: NodeResources = { cpuMillis: 2000, memoryBytes: 4 * 2 ** 30, pods: 3, labels: { 'kubernetes.io/os': 'linux' } };

function pod(requests: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { requests } }], ...extra } };
}

describe('unschedulableReason', () => {
  it.each([
    ['fits an empty node', pod({ cpu: '1' }), [], undefined],
    ['fits beside others', pod({ cpu: '500m' }), [pod({ cpu: '1500m' })], undefined],
    ['too much cpu with others bound', pod({ cpu: '600m' }), [pod({ cpu: '1500m' })], '0/1 nodes are available: 1 Insufficient cpu.'],
    ['too much memory', pod({ memory: '5Gi' }), [], '0/1 nodes are available: 1 Insufficient memory.'],
    ['too many pods', pod({}), [pod({}), pod({}), pod({})], '0/1 nodes are available: 1 Too many pods.'],
    ['a node selector that does not match', pod({}, { nodeSelector: { disk: 'ssd' } }), [], "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."],
  ])('%s', (_what, p, bound, expected) => {
    const why = unschedulableReason(p, bound, node);
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toBe(`${expected} preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`);
  });

  it('counts limits as requests when requests are absent', () => {
    const p: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '3' } } }] } };
    expect(unschedulableReason(p, [], node)).toMatch(/Insufficient cpu/);
  });
});
