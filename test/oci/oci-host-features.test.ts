import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { kubectl, startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let rt: OciRuntime;
let priv: OciRuntime;
let image: string;

const ended = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const waiting = (p: KubeObject) => p.status?.containerStatuses?.[0]?.state?.waiting;

/** Runs a pod of one container to completion on `on`; its output. */
async function run(on: OciRuntime, name: string, command: string, pod: Record<string, unknown> = {}): Promise<string> {
  await on.createPod(name, { restartPolicy: 'Never', ...pod, containers: [{ name: 'c', image, command: ['sh', '-c', command] }] });
  const done = await on.waitForPod(name, 'finished', ended);
  expect(done.status!.phase, `${JSON.stringify(done.status)} ${await on.logs(name).catch(() => '')}`).toBe('Succeeded');
  return on.logs(name);
}

/** Creates a pod on `on` and waits until its container waits with CreateContainerConfigError; the message. */
async function refused(on: OciRuntime, name: string, pod: Record<string, unknown>, container: Record<string, unknown> = {}): Promise<string> {
  await on.createPod(name, { ...pod, containers: [{ name: 'c', image, command: ['sleep', '3600'], ...container }] });
  const p = await on.waitForPod(name, 'refused', (x) => waiting(x)?.reason === 'CreateContainerConfigError');
  return String(waiting(p).message);
}

/** Creates a pod on `on` and waits until the kubelet rejects it. */
async function rejected(on: OciRuntime, name: string, sysctls: Array<{ name: string; value: string }>, pod: Record<string, unknown> = {}): Promise<KubeObject> {
  await on.createPod(name, { ...pod, securityContext: { sysctls }, containers: [{ name: 'c', image, command: ['sleep', '3600'] }] });
  return on.waitForPod(name, 'rejected', (p) => p.status?.phase === 'Failed');
}

beforeAll(async () => {
  registry = await startRegistry();
  image = `${registry.host}/host/box:v1`;
  await pushImage(registry, 'host/box:v1', buildImage({ env: ['PATH=/bin'] }));
  rt = await startOciRuntime();
  priv = await startOciRuntime({ allowPrivileged: true });
});

afterAll(async () => {
  await rt?.close();
  await priv?.close();
  await registry?.stop();
});

describe('pod fields that reach the host, on a runtime without --allow-privileged', () => {
  it('refuses hostNetwork, hostPID and hostIPC pods, naming the field and the flag', async () => {
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      const message = await refused(rt, `host-${field.slice(4).toLowerCase()}`, { [field]: true });
      expect(message).toMatch(new RegExp(`^${field} pods are not allowed by this runtime: the pod would share the host's .*\\(start it with --allow-privileged\\)$`));
    }
  });

  it('refuses a hostPort and shareProcessNamespace instead of ignoring them', async () => {
    expect(await refused(rt, 'host-port', {}, { ports: [{ containerPort: 8080, hostPort: 8080 }] })).toMatch(/^ports\[0\]\.hostPort 8080 is not supported by the built-in runtime: .*Service \(type NodePort\)/);
    expect(await refused(rt, 'shared-pids', { shareProcessNamespace: true })).toMatch(/^shareProcessNamespace is not supported by the built-in runtime/);
  });

  it('applies safe sysctls in the pod\'s own namespaces, leaving the host\'s values alone', async () => {
    const hostKeepalive = readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8');
    const sysctls = [
      { name: 'net.ipv4.tcp_keepalive_time', value: '123' },
      { name: 'net/ipv4/ip_local_port_range', value: '40000 40100' },
      { name: 'kernel.shm_rmid_forced', value: '1' },
    ];
    const out = await run(rt, 'safe-sysctls', 'cat /proc/sys/net/ipv4/tcp_keepalive_time /proc/sys/net/ipv4/ip_local_port_range /proc/sys/kernel/shm_rmid_forced', { securityContext: { sysctls } });
    expect(out.split('\n').map((l) => l.replace(/\s+/g, ' '))).toEqual(['123', '40000 40100', '1', '']);
    expect(readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8')).toBe(hostKeepalive);
  });

  it('rejects a pod asking for an unsafe sysctl as the kubelet does: Failed, SysctlForbidden', async () => {
    const pod = await rejected(rt, 'unsafe-sysctl', [{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'net.core.somaxconn', value: '1024' }]);
    expect(pod.status).toMatchObject({ reason: 'SysctlForbidden', message: 'Pod was rejected: forbidden sysctl: "net.core.somaxconn" not allowlisted' });
    expect(pod.status!.containerStatuses).toBeUndefined();
    const events = (await rt.runtime.cluster.list(resources.events, { namespace: rt.namespace })).items;
    expect(events.some((e: any) => e.involvedObject?.name === 'unsafe-sysctl' && e.reason === 'SysctlForbidden')).toBe(true);
  });

  it('refuses an unsafe sysctl written into a running pod\'s spec when its container starts again', async () => {
    await rt.createPod('late-sysctl', { restartPolicy: 'Always', containers: [{ name: 'c', image, command: ['sh', '-c', 'sleep 1; exit 1'] }] });
    await rt.waitForPod('late-sysctl', 'running', (p) => p.status?.containerStatuses?.[0]?.state?.running !== undefined);
    // Admitted without sysctls; the API lets the spec change afterwards (the kubelet must not trust its first look).
    const live = await rt.runtime.cluster.get(resources.pods, rt.namespace, 'late-sysctl');
    await rt.runtime.cluster.update(resources.pods, { ...live, spec: { ...live.spec, securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '7' }] } } });
    const p = await rt.waitForPod('late-sysctl', 'refused at its restart', (x) => waiting(x)?.reason === 'CreateContainerConfigError');
    expect(waiting(p).message).toBe('forbidden sysctl: "net.core.somaxconn" not allowlisted');
  });

  it('refuses on process pods what a host program cannot have: sysctls, hostPID, hostIPC', async () => {
    const processPod = { runtimeClassName: 'process' };
    expect(await refused(rt, 'process-sysctl', { ...processPod, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_keepalive_time', value: '60' }] } })).toMatch(/^securityContext\.sysctls are not supported for process pods/);
    expect(await refused(rt, 'process-hostpid', { ...processPod, hostPID: true })).toMatch(/^hostPID is not supported for process pods/);
    expect(await refused(rt, 'process-hostipc', { ...processPod, hostIPC: true })).toMatch(/^hostIPC is not supported for process pods/);
  });
});

describe('pod fields that reach the host, on a runtime started with --allow-privileged', () => {
  const ns = (kind: string) => readlinkSync(`/proc/self/ns/${kind}`);

  it('runs a hostNetwork pod in the host\'s network and uts namespaces, on a loopback address of its own', async () => {
    const out = await run(priv, 'on-host-net', 'readlink /proc/self/ns/net; hostname; readlink /proc/self/ns/pid', { hostNetwork: true });
    const [net, name, pid] = out.trim().split('\n');
    expect(net).toBe(ns('net'));
    expect(name).toBe(hostname());
    expect(pid).not.toBe(ns('pid'));
    const pod = await priv.runtime.cluster.get(resources.pods, priv.namespace, 'on-host-net');
    expect(pod.status!.podIP).toMatch(/^127\.1\.\d+\.\d+$/);
  });

  it('runs hostPID and hostIPC pods in the host\'s pid and IPC namespaces', async () => {
    const out = await run(priv, 'on-host-pid-ipc', `readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc; test -d /proc/${process.pid} && echo sees-the-runtime`, { hostPID: true, hostIPC: true });
    expect(out.trim().split('\n')).toEqual([ns('pid'), ns('ipc'), 'sees-the-runtime']);
  });

  it('applies a namespaced unsafe sysctl, and still rejects the node\'s own and network ones on the host network', async () => {
    const hostValue = readFileSync('/proc/sys/net/core/somaxconn', 'utf8');
    expect(await run(priv, 'unsafe-allowed', 'cat /proc/sys/net/core/somaxconn', { securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '777' }] } })).toBe('777\n');
    expect(readFileSync('/proc/sys/net/core/somaxconn', 'utf8')).toBe(hostValue);
    const node = await rejected(priv, 'node-sysctl', [{ name: 'vm.swappiness', value: '1' }]);
    expect(node.status!.message).toBe('Pod was rejected: forbidden sysctl: "vm.swappiness" not allowlisted');
    // The API refuses it first (kubectl's error); the kubelet too, for a pod that reached the store past the API.
    const manifest = join(priv.dir, 'net-sysctl-host.yaml');
    writeFileSync(manifest, JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'net-sysctl-host', namespace: priv.namespace },
      spec: { hostNetwork: true, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] }, containers: [{ name: 'c', image }] },
    }));
    await expect(kubectl(priv.runtime.kubeconfigPath, ['create', '-f', manifest])).rejects.toThrow(/spec\.securityContext\.sysctls\[0\]\.name: Invalid value: "net\.ipv4\.tcp_syncookies": may not be specified when 'hostNetwork' is true/);
    const onHost = await rejected(priv, 'net-sysctl-host', [{ name: 'net.ipv4.tcp_syncookies', value: '1' }], { hostNetwork: true });
    expect(onHost.status!.message).toBe('Pod was rejected: forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host Net enabled');
  });
});
