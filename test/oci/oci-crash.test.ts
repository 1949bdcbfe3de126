import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPodNetwork } from '../../runtime/network/index.js';
import { kubectlOk, startRuntimeProcess, type RuntimeProcess } from '../runtime-api/runtime-process.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { uniquePodCidr, uniqueServiceCidr } from '../support/oci-runtime.js';

const REPLICAS = 20;
let registry: LocalRegistry;
let dir: string;
let podCidr: string;
// Its own service range too: the default 10.96.0.0/16 would clash with other runtimes and outlive a SIGKILLed one.
const serviceCidr = uniqueServiceCidr();
let rt: RuntimeProcess | undefined;

interface Leftovers {
  mounts: number;
  cgroups: number;
  veths: number;
  netns: number;
  containers: string[];
}

function lines(file: string, args: string[]): string[] {
  return execFileSync(file, args, { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** What this runtime holds on the machine: mounts below its state dir (overlays, pods' shared namespaces), cgroups, veths and namespaces of its bridge, runc containers. */
/** Every container id this test has seen, so a cgroup left behind by one is still counted. */
const seen = new Set<string>();

function leftovers(bridge: string): Leftovers {
  const runcRoot = join(dir, 'runc');
  const containers = existsSync(runcRoot)
    ? ((JSON.parse(execFileSync('runc', ['--root', runcRoot, 'list', '--format', 'json'], { encoding: 'utf8' }).trim() || 'null') as Array<{ id: string; status: string }> | null) ?? [])
    : [];
  for (const c of containers) seen.add(c.id);
  const cgroupDir = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup/baton' : '/sys/fs/cgroup/memory/baton';
  return {
    mounts: lines('findmnt', ['-rn', '-o', 'TARGET']).filter((t) => t.startsWith(dir)).length,
    cgroups: existsSync(cgroupDir) ? readdirSync(cgroupDir).filter((d) => seen.has(d)).length : 0,
    veths: bridge ? lines('ip', ['-o', 'link', 'show', 'master', bridge]).length : 0,
    netns: lines('ip', ['netns', 'list']).filter((n) => bridge && n.startsWith(`${bridge}-`)).length,
    containers: containers.filter((c) => c.status === 'running').map((c) => c.id).sort(),
  };
}

async function pods(): Promise<Array<{ name: string; ready: boolean; id: string; restarts: number; ip: string }>> {
  const list = JSON.parse(await kubectlOk(rt!.kubeconfig, ['get', 'pods', '-n', 'crash', '-o', 'json'])) as { items: any[] };
  return list.items.map((p) => ({
    name: p.metadata.name,
    ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    id: String(p.status.containerStatuses?.[0]?.containerID ?? '').replace('oci://', ''),
    restarts: p.status.containerStatuses?.[0]?.restartCount ?? 0,
    ip: p.status.podIP ?? '',
  }));
}

async function allReady(): Promise<Awaited<ReturnType<typeof pods>>> {
  for (let i = 0; i < 600; i++) {
    const now = await pods().catch(() => []);
    if (now.length === REPLICAS && now.every((p) => p.ready)) return now;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`pods never all ready: ${JSON.stringify(await pods())}`);
}

function bridgeOf(ip: string): string {
  const route = JSON.parse(execFileSync('ip', ['-j', 'route', 'get', ip], { encoding: 'utf8' })) as Array<{ dev: string }>;
  expect(route[0].dev).toMatch(/^bt[0-9a-f]{8}$/);
  return route[0].dev;
}

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/web:v1', buildImage({ cmd: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'] }));
  dir = await mkdtemp(join(tmpdir(), 'baton-crash-'));
  podCidr = uniquePodCidr();
});

afterAll(async () => {
  await rt?.kill();
  // Whatever a failed run left: containers, then the network.
  const runcRoot = join(dir, 'runc');
  if (existsSync(runcRoot)) {
    for (const id of leftovers('').containers) execFileSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
  }
  for (const target of lines('findmnt', ['-rn', '-o', 'TARGET']).filter((t) => t.startsWith(dir)).reverse()) execFileSync('umount', ['--lazy', target]);
  await (await startPodNetwork({ stateDir: dir, podCidr, serviceCidr }).catch(() => undefined))?.destroy();
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('crash safety of the oci driver', () => {
  it(`SIGKILL of the runtime with ${REPLICAS} pods: the same containers are re-adopted, none duplicated, nothing leaked`, async () => {
    const flags = ['--pod-cidr', podCidr, '--service-cidr', serviceCidr, '--disable-default-registry-endpoint'];
    rt = await startRuntimeProcess(dir, flags);
    await kubectlOk(rt.kubeconfig, ['create', 'namespace', 'crash']);
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: crash }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${registry.host}/team/web:v1
          readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 }
`);
    const before = await allReady();
    const bridge = bridgeOf(before[0].ip);
    const held = leftovers(bridge);
    expect(held.containers).toEqual(before.map((p) => p.id).sort());
    // Mounts per pod: its container's overlay, and the IPC and uts namespaces and /dev/shm its containers share.
    expect(held).toMatchObject({ mounts: REPLICAS * 4, cgroups: REPLICAS, veths: REPLICAS, netns: REPLICAS });

    await rt.kill();
    rt = undefined;
    // The containers do not depend on the runtime: all still run, and still serve.
    expect(leftovers(bridge).containers).toEqual(held.containers);
    const res = await fetch(`http://${before[0].ip}/`, { signal: AbortSignal.timeout(5000) });
    expect((await res.text()).trim()).toBe(before[0].name);

    rt = await startRuntimeProcess(dir, flags);
    await allReady();
    // A few kubelet passes later nothing has changed: adopted, not restarted or doubled.
    await new Promise((r) => setTimeout(r, 4000));
    const after = await allReady();
    expect(after.map((p) => `${p.name}=${p.id}`).sort()).toEqual(before.map((p) => `${p.name}=${p.id}`).sort());
    expect(after.every((p) => p.restarts === 0)).toBe(true);
    expect(leftovers(bridge)).toEqual(held);

    await kubectlOk(rt.kubeconfig, ['delete', 'namespace', 'crash', '--wait=true', '--timeout=120s']);
    for (let i = 0; i < 120 && leftovers(bridge).containers.length > 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(leftovers(bridge)).toEqual({ mounts: 0, cgroups: 0, veths: 0, netns: 0, containers: [] });
  });
});
