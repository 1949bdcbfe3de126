import { describe, expect, it } from 'vitest';
import { ServiceAllocator } from '../../runtime/store/service-allocator.js';
import type { KubeObject } from '../../runtime/kube/object.js';

const svc = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: structuredClone(spec) });

describe('ServiceAllocator', () => {
  it.each([
    ['ClusterIP', { ports: [{ port: 80 }] }, true, false],
    ['NodePort', { type: 'NodePort', ports: [{ port: 80 }] }, true, true],
    ['LoadBalancer', { type: 'LoadBalancer', ports: [{ port: 80 }] }, true, true],
    ['headless', { clusterIP: 'None', ports: [{ port: 80 }] }, false, false],
    ['ExternalName', { type: 'ExternalName', externalName: 'example.com' }, false, false],
  ])('%s gets an IP: %s, a nodePort: %s', (_kind, spec, ip, nodePort) => {
    const object = svc(spec);
    new ServiceAllocator().assign(object);
    expect(/^127\.2\.\d+\.\d+$/.test(object.spec.clusterIP ?? '')).toBe(ip);
    expect(typeof object.spec.ports?.[0]?.nodePort === 'number').toBe(nodePort);
  });

  it('gives a NodePort back when the Service turns into ClusterIP, and reuses it', () => {
    const allocator = new ServiceAllocator();
    const first = svc({ type: 'NodePort', ports: [{ port: 80 }] });
    allocator.assign(first);
    const port = first.spec.ports[0].nodePort;
    const asClusterIP = svc({ type: 'ClusterIP', clusterIP: first.spec.clusterIP, ports: [{ port: 80 }] });
    allocator.assign(asClusterIP, first);
    expect(asClusterIP.spec.ports[0].nodePort).toBeUndefined();
    const other = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: port }] });
    allocator.assign(other);
    expect(other.spec.ports[0].nodePort).toBe(port);
  });

  it('refuses a nodePort outside 30000-32767', () => {
    expect(() => new ServiceAllocator().assign(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }))).toThrow(/not in the valid range/);
  });

  it("refuses a ClusterIP asked for outside the range, as Kubernetes does: its rules would take a pod's or the host's traffic", () => {
    const loopback = new ServiceAllocator();
    expect(() => loopback.assign(svc({ clusterIP: '127.0.0.1', ports: [{ port: 7071 }] }))).toThrow(
      'Invalid value: ["127.0.0.1"]: failed to allocate IP 127.0.0.1: provided IP is not in the valid range. The range of valid IPs is 127.2.0.0/16',
    );
    const kernel = new ServiceAllocator();
    kernel.useRange('10.96.0.0/16');
    expect(() => kernel.assign(svc({ clusterIP: '10.244.0.5', ports: [{ port: 80 }] }))).toThrow(/10\.244\.0\.5: provided IP is not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/16$/);
    const dns = svc({ clusterIP: '10.96.0.10', ports: [{ port: 53 }] });
    kernel.assign(dns);
    expect(dns.spec.clusterIPs).toEqual(['10.96.0.10']);
  });

  it('does not keep what a failed assignment claimed', () => {
    const allocator = new ServiceAllocator();
    const taken = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] });
    allocator.assign(taken);
    const failing = svc({ clusterIP: '127.2.5.5', type: 'NodePort', ports: [{ port: 81, nodePort: 30001 }] });
    expect(() => allocator.assign(failing)).toThrow(/already allocated/);
    const retry = svc({ clusterIP: '127.2.5.5', ports: [{ port: 81 }] });
    allocator.assign(retry);
    expect(retry.spec.clusterIP).toBe('127.2.5.5');
  });
});
