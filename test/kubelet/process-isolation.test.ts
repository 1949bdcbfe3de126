import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { kubectl } from '../support/oci-runtime.js';
import { waitFor } from '../support/wait.js';

let dir: string;
let runtime: RunningRuntime;
let fakeRedis: Server;
const ns = 'hostile';

const running = (p: KubeObject | undefined) => p?.status?.phase === 'Running' && !!p.status?.containerStatuses?.[0]?.state?.running;
const ended = (p: KubeObject | undefined) => p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed';

/** The pod once `ok` holds for it. */
function podWhen(name: string, ok: (p: KubeObject) => boolean): Promise<KubeObject> {
  return waitFor(`pod ${name} to get there`, async () => {
    const pod = await runtime.cluster.get(resources.pods, ns, name);
    return ok(pod) && pod;
  }, { timeoutMs: 60_000, intervalMs: 200 });
}

async function runHostile(name: string, script: string): Promise<string> {
  await runtime.cluster.create(resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'host', command: ['sh', '-c', script] }] } });
  await podWhen(name, ended);
  return kubectl(runtime.kubeconfigPath, ['logs', '-n', ns, name]);
}

/** Host pid of the victim's program: the process whose environment holds its marker. */
function victimPid(): number | undefined {
  for (const entry of readdirProc()) {
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes('VICTIM_TOKEN=victim-secret-value') && readFileSync(`/proc/${entry}/cmdline`, 'latin1').startsWith('sleep')) return Number(entry);
    } catch {
      // Gone, or not ours.
    }
  }
  return undefined;
}

function readdirProc(): string[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-hostile-'));
  runtime = await startRuntime({ stateDir: dir, port: 0, ingress: false, proxy: false, node: { defaultRuntimeClass: 'process' } });
  fakeRedis = createServer(() => undefined).listen(join(dir, 'redis.sock'));
  await runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await runtime.cluster.create(resources.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'victim', namespace: ns },
    spec: { containers: [{ name: 'c', image: 'host', command: ['sleep', '3600'], env: [{ name: 'VICTIM_TOKEN', value: 'victim-secret-value' }] }] },
  });
  await podWhen('victim', running);
});

afterAll(async () => {
  fakeRedis?.close();
  await runtime?.close({ stopPods: true });
  await rm(dir, { recursive: true, force: true });
});

describe('a hostile process-driver pod (a host program, sandboxed)', () => {
  it('reads nothing of the state dir: tokens, kubeconfig, store, Redis socket; and writes nothing on the host', async () => {
    const files = ['runtime-token', 'kubeconfig', 'redis.sock', 'runtime', 'node'].map((f) => join(dir, f));
    for (const f of files.slice(0, 3)) expect(existsSync(f)).toBe(true);
    const out = await runHostile('reader', [
      ...files.map((f) => `if [ -e '${f}' ]; then echo "SEEN ${f}"; fi`),
      `cat '${join(dir, 'runtime-token')}' 2>/dev/null && echo READ-TOKEN`,
      'id -u',
      'touch /etc/baton-was-here 2>/dev/null && echo WROTE-HOST',
      `touch '${dir}/planted' 2>/dev/null && echo WROTE-STATE`,
      'echo done',
    ].join('\n'));
    expect(out).not.toMatch(/SEEN|READ-TOKEN|WROTE/);
    expect(out).toMatch(/^65534\ndone\n$/m);
    expect(existsSync('/etc/baton-was-here')).toBe(false);
  });

  it('sees only its own processes and none of another pod\'s environment', async () => {
    const out = await runHostile('looker', 'ls /proc | grep -c "^[0-9]"; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c victim-secret-value');
    const [count, leaked] = out.trim().split('\n');
    expect(Number(count)).toBeLessThan(8);
    expect(leaked).toBe('0');
  });

  it('kills nothing outside itself: not by the victim\'s host pid, not with kill -1', async () => {
    const pid = victimPid();
    expect(pid).toBeDefined();
    await runHostile('killer', `kill -9 ${pid} 2>&1; kill -9 -1 2>&1; echo tried`);
    await new Promise((r) => setTimeout(r, 1500));
    const victim = await podWhen('victim', running);
    expect(victim.status!.containerStatuses[0].restartCount).toBe(0);
    expect(victimPid()).toBe(pid);
  });

  it('still gets its volumes outside /tmp, though their sources live in the hidden state dir', async () => {
    await runtime.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { 'color.txt': 'blue' } });
    await runtime.cluster.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'mounter', namespace: ns },
      // /mnt exists on the host, so nothing is made there.
      spec: { restartPolicy: 'Never', volumes: [{ name: 's', configMap: { name: 'settings' } }], containers: [{ name: 'c', image: 'host', command: ['cat', '/mnt/color.txt'], volumeMounts: [{ name: 's', mountPath: '/mnt' }] }] },
    });
    await podWhen('mounter', ended);
    expect(await kubectl(runtime.kubeconfigPath, ['logs', '-n', ns, 'mounter'])).toBe('blue');
  });

  it('runs none of its own programs as root: its PATH and LD_PRELOAD reach only the program, as its own user', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'baton-fakebin-'));
    try {
      chmodSync(bin, 0o777);
      // A fake sh that records who ran it; the pod's PATH names its directory first.
      writeFileSync(join(bin, 'sh'), `#!/bin/sh\nid -u >> ${bin}/ran-as\nexec /bin/sh "$@"\n`, { mode: 0o755 });
      await runtime.cluster.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'path-trick', namespace: ns },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'bin', hostPath: { path: bin, type: 'Directory' } }],
          containers: [{ name: 'c', image: 'host', command: ['sh', '-c', 'echo ran'], env: [{ name: 'PATH', value: `${bin}:/usr/bin:/bin` }, { name: 'LD_PRELOAD', value: `${bin}/evil.so` }], volumeMounts: [{ name: 'bin', mountPath: bin }] }],
        },
      });
      const pod = await podWhen('path-trick', ended);
      expect(pod.status!.phase).toBe('Succeeded');
      // Only the program itself was looked up on the pod's PATH, and it ran as nobody.
      expect(readFileSync(join(bin, 'ran-as'), 'utf8')).toBe('65534\n');
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('does not run as root, and makes no mount point on the host', async () => {
    const waitingOf = (p: KubeObject | undefined) => p?.status?.containerStatuses?.[0]?.state?.waiting;
    const create = (name: string, spec: Record<string, unknown>) => runtime.cluster.create(resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec });
    await create('as-root', { securityContext: { runAsUser: 0 }, containers: [{ name: 'c', image: 'host', command: ['id'] }] });
    const root = await podWhen('as-root', (p) => waitingOf(p)?.reason === 'CreateContainerConfigError');
    expect(waitingOf(root).message).toMatch(/does not run as root \(runAsUser: 0\) unless the runtime is started with --allow-privileged/);
    // A host account's id would read that account's files through the host's root: daemon (1) and disk (6) are on every Debian.
    await create('as-daemon', { securityContext: { runAsUser: 1 }, containers: [{ name: 'c', image: 'host', command: ['id'] }] });
    expect(waitingOf(await podWhen('as-daemon', (p) => waitingOf(p)?.reason === 'CreateContainerConfigError')).message).toMatch(
      /does not run as the host's user "daemon" \(runAsUser: 1\) unless the runtime is started with --allow-privileged/,
    );
    await create('root-group', { securityContext: { runAsUser: 4_000_001, runAsGroup: 0 }, containers: [{ name: 'c', image: 'host', command: ['id'] }] });
    expect(waitingOf(await podWhen('root-group', (p) => waitingOf(p)?.reason === 'CreateContainerConfigError')).message).toMatch(/host's group "root" \(runAsGroup: 0\)/);
    await create('disk-group', { securityContext: { runAsUser: 4_000_001, supplementalGroups: [6] }, containers: [{ name: 'c', image: 'host', command: ['id'] }] });
    expect(waitingOf(await podWhen('disk-group', (p) => waitingOf(p)?.reason === 'CreateContainerConfigError')).message).toMatch(/host's group "disk" \(supplementalGroups or fsGroup: 6\)/);
    // An id no host account has runs.
    await create('own-id', { restartPolicy: 'Never', securityContext: { runAsUser: 4_000_001, runAsGroup: 4_000_001 }, containers: [{ name: 'c', image: 'host', command: ['id', '-u'] }] });
    expect((await podWhen('own-id', ended)).status!.phase).toBe('Succeeded');
    expect(await kubectl(runtime.kubeconfigPath, ['logs', '-n', ns, 'own-id'])).toBe('4000001\n');
    const target = `/etc/baton-mount-${process.pid}`;
    await create('planter', { restartPolicy: 'Never', volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'c', image: 'host', command: ['true'], volumeMounts: [{ name: 'v', mountPath: target }] }] });
    await podWhen('planter', ended);
    expect(await kubectl(runtime.kubeconfigPath, ['logs', '-n', ns, 'planter'])).toMatch(/mount point \/etc\/baton-mount-\d+ does not exist on the host/);
    expect(existsSync(target)).toBe(false);
  });

  it('cannot mount baton\'s state dir, or a directory above it, as a hostPath', async () => {
    for (const [name, path] of [['state', dir], ['above', '/']] as const) {
      await runtime.cluster.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `hostpath-${name}`, namespace: ns },
        spec: { volumes: [{ name: 'v', hostPath: { path } }], containers: [{ name: 'c', image: 'host', command: ['true'], volumeMounts: [{ name: 'v', mountPath: '/tmp/v' }] }] },
      });
      const pod = await podWhen(`hostpath-${name}`, (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
      expect(pod.status!.containerStatuses[0].state.waiting.message).toMatch(/would expose baton's state dir/);
    }
  });

  // Its sandbox's /proc hides the host's processes anyway; the refusal is the image pods' one (oci-isolation.test.ts), said alike.
  it('cannot mount the host\'s /proc as a hostPath either', async () => {
    const pid = victimPid();
    expect(pid).toBeDefined();
    await runtime.cluster.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hostpath-proc', namespace: ns },
      spec: {
        restartPolicy: 'Never',
        volumes: [{ name: 'v', hostPath: { path: '/proc', type: 'Directory' } }],
        containers: [{ name: 'c', image: 'host', command: ['sh', '-c', `tr "\\0" "\\n" < /tmp/v/${pid}/environ | grep -c victim-secret-value`], volumeMounts: [{ name: 'v', mountPath: '/tmp/v', readOnly: true }] }],
      },
    });
    const pod = await podWhen('hostpath-proc', (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' || ended(p));
    const said = ended(pod) ? await kubectl(runtime.kubeconfigPath, ['logs', '-n', ns, 'hostpath-proc']) : '';
    expect(pod.status!.containerStatuses[0].state.waiting?.message ?? '', said).toMatch(/would expose the host's kernel filesystem \/proc/);
  });

  it('takes everything it started with it when its program exits', async () => {
    // A daemon in its own session, as a careless program would leave one behind.
    const out = await runHostile('spawner', "setsid sh -c 'sleep 3600' baton-orphan-marker & sleep 0.3; ps -o args | grep -c '[b]aton-orphan-marker'; echo started");
    // Its own script names the marker too; the daemon is among what ps counted.
    expect(Number(out.split('\n')[0])).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(/started\n$/);
    await new Promise((r) => setTimeout(r, 500));
    const left = readdirProc().filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'latin1').includes('baton-orphan-marker');
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });
});
