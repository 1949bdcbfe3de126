import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime } from '../../runtime/runtime-server.js';
import { uniquePodCidr } from '../support/oci-runtime.js';

describe('--service-proxy userspace with image pods', () => {
  it('starts the pod network with the node all the same, and serves ClusterIPs on loopback', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-userspace-'));
    const podCidr = uniquePodCidr();
    const runtime = await startRuntime({ stateDir: dir, port: 0, ingress: false, dnsUpstreams: ['127.0.0.1:9'], node: { defaultRuntimeClass: 'oci', podCidr, serviceProxy: 'userspace' } });
    try {
      expect(runtime.services).toEqual({ mode: 'userspace', reason: '--service-proxy userspace' });
      // The bridge is up before any pod asks for it: sandboxes an earlier run left are found at start.
      const route = JSON.parse(execFileSync('ip', ['-j', 'route', 'get', podCidr.replace(/0\/24$/, '9')], { encoding: 'utf8' }))[0];
      expect(route.dev).toMatch(/^bt[0-9a-f]{8}$/);
      const svc = await runtime.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
      expect(svc.spec!.clusterIP).toMatch(/^127\.2\./);
    } finally {
      await runtime.close({ stopPods: true });
      await rm(dir, { recursive: true, force: true });
    }
  });
});
