import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { endpointSubsets } from '../../../../../runtime/controllers/endpoints/endpoint-subsets.js';

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'admin', port: 9000, targetPort: 9001 }] },
};

function pod(name: string, ip: string | undefined, ready: boolean, extra: Partial<KubeObject['metadata']> = {}, containerPort = 8080): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...extra },
    spec: { nodeName: 'local', containers: [{ name: 'app', ports: [{ name: 'http', containerPort }] }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('endpointSubsets', () => {
  it('lists ready pods as addresses, others as notReadyAddresses, skipping terminating and IP-less pods', () => {
    const subsets = endpointSubsets(service, [
      pod('b', '127.1.0.10', true),
      pod('a', '127.1.0.9', true),
      pod('c', '127.1.0.11', false),
      pod('d', undefined, true),
      pod('e', '127.1.0.12', true, { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    ]);
    expect(subsets).toHaveLength(1);
    expect(subsets[0].addresses!.map((a) => a.ip)).toEqual(['127.1.0.9', '127.1.0.10']);
    expect(subsets[0].addresses![0]).toEqual({ ip: '127.1.0.9', nodeName: 'local', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } });
    expect(subsets[0].notReadyAddresses!.map((a) => a.targetRef.name)).toEqual(['c']);
    expect(subsets[0].ports).toEqual([
      { name: 'admin', port: 9001, protocol: 'TCP' },
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
  });

  it('resolves a named targetPort per pod, grouping pods with the same ports', () => {
    const subsets = endpointSubsets(service, [pod('a', '127.1.0.1', true, {}, 8080), pod('b', '127.1.0.2', true, {}, 8081)]);
    expect(subsets.map((s) => s.ports!.find((p) => p.name === 'http')!.port).sort()).toEqual([8080, 8081]);
  });
});
