import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let rt: OciRuntime;
let rootImage: string;
let appImage: string;
const shared = mkdtempSync(join(tmpdir(), 'baton-oci-shared-'));

const ended = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const ready = (p: KubeObject) => (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const waiting = (p: KubeObject) => p.status?.containerStatuses?.[0]?.state?.waiting;

async function run(name: string, container: Record<string, unknown>, pod: Record<string, unknown> = {}): Promise<string> {
  await rt.createPod(name, { restartPolicy: 'Never', ...pod, containers: [{ name: 'c', image: rootImage, ...container }] });
  const done = await rt.waitForPod(name, 'finished', ended);
  expect(done.status!.phase, await rt.logs(name)).toBe('Succeeded');
  return rt.logs(name);
}

beforeAll(async () => {
  registry = await startRegistry();
  rootImage = `${registry.host}/sec/root:v1`;
  appImage = `${registry.host}/sec/app:v1`;
  await pushImage(registry, 'sec/root:v1', buildImage({ env: ['PATH=/bin'] }));
  await pushImage(registry, 'sec/app:v1', buildImage({ env: ['PATH=/bin'], user: 'app' }));
  rt = await startOciRuntime();
});

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
  rmSync(shared, { recursive: true, force: true });
});

describe('securityContext and lifecycle of oci containers', () => {
  it('runs as the image\'s User by name, and as runAsUser/runAsGroup when set', async () => {
    await rt.createPod('as-app', { restartPolicy: 'Never', containers: [{ name: 'c', image: appImage, command: ['sh', '-c', 'id -u; id -g'] }] });
    await rt.waitForPod('as-app', 'finished', ended);
    expect(await rt.logs('as-app')).toBe('1000\n1000\n');
    expect(await run('as-4242', { command: ['sh', '-c', 'id -u; id -g; id -G'] }, { securityContext: { runAsUser: 4242, runAsGroup: 4343, supplementalGroups: [5000] } })).toBe('4242\n4343\n4343 5000\n');
  });

  it('refuses runAsNonRoot for an image that runs as root, and privileged containers', async () => {
    await rt.createPod('nonroot', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image: rootImage, command: ['true'] }] });
    const a = await rt.waitForPod('nonroot', 'refused', (p) => waiting(p)?.reason === 'CreateContainerConfigError');
    expect(waiting(a).message).toMatch(/^container has runAsNonRoot and image will run as root/);
    await rt.createPod('privileged', { containers: [{ name: 'c', image: rootImage, command: ['true'], securityContext: { privileged: true } }] });
    const b = await rt.waitForPod('privileged', 'refused', (p) => waiting(p)?.reason === 'CreateContainerConfigError');
    expect(waiting(b).message).toMatch(/privileged containers are not allowed/);
  });

  it('keeps the root filesystem read-only with readOnlyRootFilesystem, and drops capabilities as asked', async () => {
    const out = await run('locked', {
      command: ['sh', '-c', 'touch /x 2>/dev/null && echo WROTE; grep CapEff /proc/self/status; chown 1 /tmp 2>/dev/null && echo CHOWNED; echo end'],
      securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false },
    });
    expect(out).toBe('CapEff:\t0000000000000000\nend\n');
    expect(await run('default-caps', { command: ['sh', '-c', 'grep CapEff /proc/self/status'] })).not.toContain('0000000000000000');
  });

  it('filters system calls with seccompProfile RuntimeDefault, from the pod or the container, and refuses a Localhost profile', async () => {
    // unshare -U makes a user namespace: no capability needed, so only the filter stops it.
    const probe = ['sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U true 2>/dev/null && echo UNSHARED; echo end'];
    expect(await run('unconfined', { command: probe })).toBe('Seccomp:\t0\nUNSHARED\nend\n');
    expect(await run('default-pod', { command: probe }, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).toBe('Seccomp:\t2\nend\n');
    expect(await run('default-container', { command: probe, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).toBe('Seccomp:\t2\nend\n');
    // The container's own Unconfined wins over the pod's.
    expect(await run('container-wins', { command: probe, securityContext: { seccompProfile: { type: 'Unconfined' } } }, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).toBe('Seccomp:\t0\nUNSHARED\nend\n');
    // Ordinary work (threads, forks, files) goes on under it.
    expect(await run('default-work', { command: ['sh', '-c', '(echo child) & wait; echo x > /tmp/f && cat /tmp/f'], securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })).toBe('child\nx\n');
    await rt.createPod('localhost-profile', { containers: [{ name: 'c', image: rootImage, command: ['true'], securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } } }] });
    const refused = await rt.waitForPod('localhost-profile', 'refused', (p) => waiting(p)?.reason === 'CreateContainerError');
    expect(waiting(refused).message).toMatch(/seccompProfile Localhost \("profiles\/audit.json"\) is not supported by this runtime/);
  });

  it('runs exec probes and preStop hooks inside the container, with volumes from the host and from ConfigMaps', async () => {
    chmodSync(shared, 0o777);
    await rt.runtime.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: rt.namespace }, data: { 'greeting.txt': 'hello from a ConfigMap' } });
    await rt.createPod('hooked', {
      terminationGracePeriodSeconds: 2,
      volumes: [{ name: 'out', hostPath: { path: shared, type: 'Directory' } }, { name: 'conf', configMap: { name: 'conf' } }],
      containers: [{
        name: 'c',
        image: rootImage,
        command: ['sh', '-c', 'sleep 1; cp /etc/conf/greeting.txt /tmp/ready; exec sleep 3600'],
        volumeMounts: [{ name: 'out', mountPath: '/out' }, { name: 'conf', mountPath: '/etc/conf', readOnly: true }],
        readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'cat /tmp/ready > /out/said-goodbye'] } } },
      }],
    });
    await rt.waitForPod('hooked', 'Ready', ready);
    await rt.runtime.cluster.delete(resources.pods, rt.namespace, 'hooked');
    for (let i = 0; i < 150 && (await rt.runtime.cluster.get(resources.pods, rt.namespace, 'hooked').catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(join(shared, 'said-goodbye'), 'utf8')).toBe('hello from a ConfigMap');
  });
});
