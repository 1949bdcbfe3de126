import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let rt: OciRuntime;
let fakeRedis: Server;
let image: string;

/** Host directories the tests share with pods, removed once the runtime has stopped. */
const scratch: string[] = [];
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

const running = (p: KubeObject) => p.status?.phase === 'Running' && p.status?.containerStatuses?.[0]?.state?.running;
const ended = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Host pid of the first process of a running oci container, read from runc's state. */
function hostPid(pod: KubeObject): number {
  const id = String(pod.status!.containerStatuses[0].containerID).replace('oci://', '');
  const state = JSON.parse(execFileSync('runc', ['--root', join(rt.dir, 'runc'), 'state', id], { encoding: 'utf8' })) as { pid: number };
  return state.pid;
}

async function runHostile(name: string, script: string): Promise<string> {
  await rt.createPod(name, { restartPolicy: 'Never', containers: [{ name: 'c', image, command: ['sh', '-c', script] }] });
  await rt.waitForPod(name, 'finished', ended);
  return rt.logs(name);
}

beforeAll(async () => {
  registry = await startRegistry();
  image = `${registry.host}/tools/shell:v1`;
  await pushImage(registry, 'tools/shell:v1', buildImage({ env: ['PATH=/bin'] }));
  rt = await startOciRuntime();
  // Stands in for baton's Redis socket: it lives in the state dir like the real one.
  fakeRedis = createServer(() => undefined).listen(join(rt.dir, 'redis.sock'));
  await rt.createPod('victim', { containers: [{ name: 'c', image, command: ['sh', '-c', 'SECRET_IN_ENV=victim-only exec sleep 3600'], env: [{ name: 'VICTIM_TOKEN', value: 'victim-secret-value' }] }] });
  await rt.waitForPod('victim', 'running', running);
});

afterAll(async () => {
  fakeRedis?.close();
  await rt?.close();
  await registry?.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('a hostile oci pod', () => {
  it('reads nothing of the state dir: tokens, kubeconfig, store, Redis socket', async () => {
    const files = ['runtime-token', 'kubeconfig', 'redis.sock', 'runtime', 'node'].map((f) => join(rt.dir, f));
    for (const f of files.slice(0, 3)) expect(existsSync(f), `${f} exists on the host`).toBe(true);
    const out = await runHostile('reader', [
      ...files.map((f) => `if [ -e '${f}' ]; then echo "SEEN ${f}"; fi`),
      `cat '${join(rt.dir, 'runtime-token')}' 2>/dev/null && echo READ-TOKEN`,
      // Walking up from where it runs finds only the container's own root.
      'cd ../../../../../../.. && ls -a / | tr "\\n" " "; echo',
      'echo done',
    ].join('\n'));
    expect(out).not.toMatch(/SEEN|READ-TOKEN/);
    expect(out).toMatch(/done\s*$/);
    expect(out).not.toContain(rt.dir.split('/')[1] === 'tmp' ? 'baton-oci-' : rt.dir);
  });

  it('sees only its own processes and none of another pod\'s environment', async () => {
    const out = await runHostile('looker', 'ps -o pid,args | tail -n +2; echo ---; cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c victim-secret-value');
    // The script itself shows in ps's output, marker included: split at the last one.
    const cut = out.lastIndexOf('\n---\n');
    const [ps, count] = [out.slice(0, cut), out.slice(cut + 5)];
    const pids = ps.trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(pids).toContain(1);
    expect(pids.every((p) => p < 20)).toBe(true);
    expect(ps).not.toContain('sleep 3600');
    expect(count.trim()).toBe('0');
  });

  it('kills nothing outside itself: not by the victim\'s host pid, not with kill -1', async () => {
    const victim = await rt.waitForPod('victim', 'running', running);
    const pid = hostPid(victim);
    expect(pid).toBeGreaterThan(1);
    await runHostile('killer', `kill -9 ${pid} 2>&1; kill -9 -1 2>&1; echo tried`);
    await new Promise((r) => setTimeout(r, 1500));
    const after = await rt.waitForPod('victim', 'running', running);
    expect(after.status!.containerStatuses[0].restartCount).toBe(0);
    expect(hostPid(after)).toBe(pid);
  });

  it('reaches no port of the host: not the runtime API on the bridge\'s address', async () => {
    const gateway = (await rt.waitForPod('victim', 'running', running)).status!.podIP.replace(/\.\d+$/, '.1');
    const apiPort = new URL(rt.runtime.url).port;
    // A listener on every address of the host, so only the firewall can keep the pod out.
    const open = createServer((s) => s.end('host says hi\n')).listen(0, '0.0.0.0');
    await new Promise((r) => open.once('listening', r));
    const port = (open.address() as { port: number }).port;
    try {
      const out = await runHostile('prober', [
        `timeout 5 nc ${gateway} ${port} </dev/null && echo REACHED-HOST`,
        `timeout 5 nc ${gateway} ${apiPort} </dev/null && echo REACHED-API`,
        'echo probed',
      ].join('\n'));
      expect(out).not.toMatch(/REACHED|host says hi/);
      expect(out).toContain('probed');
    } finally {
      open.close();
    }
  });

  it('gets no capability beyond Kubernetes\' baseline unless the runtime allows privileges: not SYS_ADMIN (the host\'s cgroups), SYS_PTRACE, NET_ADMIN, ALL', async () => {
    // With CAP_SYS_ADMIN and no seccomp the container mounts the host's cgroup hierarchy (release_agent: root on the host).
    const script = 'mkdir -p /tmp/m; mount -t cgroup -o memory c /tmp/m 2>/dev/null || mount -t cgroup2 c /tmp/m 2>/dev/null; ls /tmp/m | grep -q . && echo HOST-CGROUPS; grep CapEff /proc/self/status';
    const asks = [['SYS_ADMIN'], ['SYS_PTRACE'], ['NET_ADMIN'], ['ALL'], ['CHOWN', 'sys_admin'], ['CAP_DAC_READ_SEARCH']];
    const refused = (p: KubeObject) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError';
    for (const [i, add] of asks.entries()) {
      await rt.createPod(`caps-${i}`, { restartPolicy: 'Never', containers: [{ name: 'c', image, command: ['sh', '-c', script], securityContext: { capabilities: { add } } }] });
    }
    for (const [i, add] of asks.entries()) {
      const pod = await rt.waitForPod(`caps-${i}`, 'refused or finished', (p) => refused(p) || ended(p));
      const said = ended(pod) ? await rt.logs(`caps-${i}`) : '';
      expect(pod.status!.containerStatuses[0].state.waiting?.message ?? '', `add ${add.join(',')}: ${pod.status!.phase} ${said}`).toMatch(/^capabilities\.add \S.* not allowed by this runtime: .*--allow-privileged/);
    }
    // The capabilities Kubernetes' baseline lets a pod add still run.
    await rt.createPod('caps-baseline', { restartPolicy: 'Never', containers: [{ name: 'c', image, command: ['sh', '-c', script], securityContext: { capabilities: { drop: ['ALL'], add: ['CHOWN', 'cap_kill', 'NET_BIND_SERVICE', 'NET_RAW'] } } }] });
    const done = await rt.waitForPod('caps-baseline', 'finished', (p) => refused(p) || ended(p));
    expect(done.status!.phase).toBe('Succeeded');
    // CHOWN (0), KILL (5), NET_BIND_SERVICE (10), NET_RAW (13): containerd's default set, which Kubernetes' baseline allows but for NET_RAW.
    expect(await rt.logs('caps-baseline')).toBe('CapEff:\t0000000000002421\n');
  });

  it('mounts no kernel filesystem of the host as a hostPath: not /proc, where another pod\'s environment and files are', async () => {
    const victim = await rt.waitForPod('victim', 'running', running);
    const pid = hostPid(victim);
    const script = [
      `tr "\\0" "\\n" < /host/proc/${pid}/environ 2>/dev/null | grep -c victim-secret-value`,
      `ls /host/proc/${pid}/root/bin 2>/dev/null | grep -q sh && echo SAW-VICTIM-ROOT`,
      'echo done',
    ].join('\n');
    const asks = ['/proc', '/proc/', `/proc/${pid}`, '/sys', '/dev'];
    for (const [i, path] of asks.entries()) {
      await rt.createPod(`hostproc-${i}`, {
        restartPolicy: 'Never',
        volumes: [{ name: 'proc', hostPath: { path } }],
        containers: [{ name: 'c', image, command: ['sh', '-c', script], volumeMounts: [{ name: 'proc', mountPath: '/host/proc', readOnly: true }] }],
      });
    }
    for (const [i, path] of asks.entries()) {
      const pod = await rt.waitForPod(`hostproc-${i}`, 'refused or finished', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' || ended(p));
      const said = ended(pod) ? await rt.logs(`hostproc-${i}`) : '';
      expect(pod.status!.containerStatuses[0].state.waiting?.message ?? '', `hostPath ${path}: ${pod.status!.phase} ${said}`).toMatch(/^MountVolume\.SetUp failed for volume "proc" : hostPath .* the host's kernel/);
    }
  });

  it('cannot make a hostPath land in the state dir through a symlink another pod planted', async () => {
    // Removed after the runtime stops: the refused pods are retried until then, and would make their paths once the links are gone.
    const shared = scratchDir('baton-oci-planted-');
    // One pod with a writable hostPath plants links towards the state dir: one dangling, one through a directory.
    await rt.createPod('planter', {
      restartPolicy: 'Never',
      volumes: [{ name: 'h', hostPath: { path: shared, type: 'Directory' } }],
      containers: [{ name: 'c', image, command: ['sh', '-c', `ln -s '${join(rt.dir, 'registries.yaml')}' /h/file-link && ln -s '${join(rt.dir, 'runtime')}' /h/dir-link && echo planted`], volumeMounts: [{ name: 'h', mountPath: '/h' }] }],
    });
    await rt.waitForPod('planter', 'finished', ended);
    expect(await rt.logs('planter')).toBe('planted\n');
    const asks: Array<[string, string | undefined, string]> = [
      [join(shared, 'file-link'), 'FileOrCreate', join(rt.dir, 'registries.yaml')],
      [join(shared, 'dir-link', 'planted'), 'FileOrCreate', join(rt.dir, 'runtime', 'planted')],
      [join(shared, 'dir-link', 'planted-dir'), 'DirectoryOrCreate', join(rt.dir, 'runtime', 'planted-dir')],
      [join(shared, 'dir-link', 'planted-untyped'), undefined, join(rt.dir, 'runtime', 'planted-untyped')],
    ];
    for (const [i, [path, type]] of asks.entries()) {
      await rt.createPod(`follower-${i}`, {
        restartPolicy: 'Never',
        volumes: [{ name: 'x', hostPath: { path, ...(type ? { type } : {}) } }],
        containers: [{ name: 'c', image, command: ['sh', '-c', 'echo "mirrors: {}" > /x 2>/dev/null || echo pwned > /x/file; echo wrote'], volumeMounts: [{ name: 'x', mountPath: '/x' }] }],
      });
    }
    for (const [i, [path, , landed]] of asks.entries()) {
      const pod = await rt.waitForPod(`follower-${i}`, 'refused or finished', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' || ended(p));
      const said = ended(pod) ? await rt.logs(`follower-${i}`) : '';
      expect(existsSync(landed), `${landed} made through ${path}`).toBe(false);
      expect(pod.status!.containerStatuses[0].state.waiting?.message ?? '', `${path}: ${pod.status!.phase} ${said}`).toMatch(/^MountVolume\.SetUp failed for volume "x" : hostPath /);
    }
  });

  it('sees only its own subPathExpr directory of a shared volume, never the whole volume', async () => {
    const shared = scratchDir('baton-oci-logs-');
    mkdirSync(join(shared, 'neighbour'));
    writeFileSync(join(shared, 'neighbour', 'private.txt'), 'not yours');
    const pod = (name: string, expr: string, env: unknown[] = []) => rt.createPod(name, {
      restartPolicy: 'Never',
      volumes: [{ name: 'logs', hostPath: { path: shared, type: 'Directory' } }],
      containers: [{
        name: 'c',
        image,
        command: ['sh', '-c', 'ls -a /logs | tr "\\n" " "; cat /logs/*/private.txt 2>/dev/null; echo mine > /logs/own.txt; echo done'],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, ...env],
        volumeMounts: [{ name: 'logs', mountPath: '/logs', subPathExpr: expr }],
      }],
    });
    await pod('expr-own', '$(POD_NAME)');
    await pod('expr-missing', '$(NOT_SET)');
    await pod('expr-climbs', 'x/$(UP)', [{ name: 'UP', value: '../..' }]);
    await rt.waitForPod('expr-own', 'finished', ended);
    expect(await rt.logs('expr-own')).toBe('. .. done\n');
    expect(readFileSync(join(shared, 'expr-own', 'own.txt'), 'utf8')).toBe('mine\n');
    for (const [name, message] of [['expr-missing', /missing value for NOT_SET/], ['expr-climbs', /\.\./]] as const) {
      const p = await rt.waitForPod(name, 'refused or finished', (q) => q.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' || ended(q));
      const said = ended(p) ? await rt.logs(name) : '';
      expect(p.status!.containerStatuses[0].state.waiting?.message ?? '', `${name}: ${p.status!.phase} ${said}`).toMatch(message);
    }
    expect(existsSync(join(shared, 'own.txt'))).toBe(false);
  });

  it('finds the sensitive /proc and /sys paths masked or read-only', async () => {
    // Each answer is marked: the shell's own complaints go to the same log, in whatever order they land.
    const out = await runHostile('procfs', [
      '[ -r /proc/self/status ] && echo PROC-MOUNTED',
      'echo "KCORE-BYTES $(head -c 16 /proc/kcore 2>/dev/null | wc -c)"',
      '{ echo 1 > /proc/sysrq-trigger; } 2>/dev/null && echo WROTE-SYSRQ',
      '{ touch /sys/x; } 2>/dev/null && echo WROTE-SYS',
      'echo checked',
    ].join('\n'));
    expect(out).toContain('PROC-MOUNTED');
    expect(out).toMatch(/^KCORE-BYTES 0$/m);
    expect(out).not.toMatch(/WROTE/);
    expect(out).toContain('checked');
  });
});
