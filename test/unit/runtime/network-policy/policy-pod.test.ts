import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { policyPodOf } from '../../../../runtime/network-policy/policy-pod.js';

function pod(status: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'x', name: 'a', labels: { app: 'web' } }, spec: { containers: [], ...spec }, status };
}

describe('policyPodOf', () => {
  it.each([
    ['running with an address', pod({ phase: 'Running', podIP: '10.244.0.5' }), true],
    ['pending with an address (isolated from its first packet)', pod({ phase: 'Pending', podIP: '10.244.0.5' }), true],
    ['pending without an address', pod({ phase: 'Pending' }), false],
    ['succeeded (its address may belong to another pod by now)', pod({ phase: 'Succeeded', podIP: '10.244.0.5' }), false],
    ['failed', pod({ phase: 'Failed', podIP: '10.244.0.5' }), false],
    ['on the host network', pod({ phase: 'Running', podIP: '192.168.1.2' }, { hostNetwork: true }), false],
  ])('%s', (_name, object, included) => {
    expect(policyPodOf(object) !== undefined).toBe(included);
  });

  it('collects named and unnamed ports of containers and init containers, TCP by default', () => {
    const p = policyPodOf(
      pod(
        { phase: 'Running', podIP: '10.244.0.5' },
        {
          initContainers: [{ name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9090 }] }],
          containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }],
        },
      ),
    );
    expect(p).toEqual({
      namespace: 'x',
      name: 'a',
      labels: { app: 'web' },
      ip: '10.244.0.5',
      ports: [
        { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP' },
      ],
    });
  });
});
