import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountNamespaceSupport } from '../../runtime/kubelet/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { startHarness, type Harness } from './kubelet-harness.js';
import { waitFor } from '../support/wait.js';

const support = mountNamespaceSupport();
if (support !== true) console.warn(`skipping volume kind tests: unshare --mount is not permitted here (${support})`);

const running = (p: KubeObject | undefined) => !!p?.status?.containerStatuses?.[0]?.state?.running;
const waitingMessage = (p: KubeObject | undefined): string | undefined => p?.status?.containerStatuses?.[0]?.state?.waiting?.message;
const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(support !== true)('kubelet: volume kinds', () => {
  let h: Harness;
  let root: string;
  beforeAll(async () => {
    h = await startHarness();
    root = mkdtempSync(join(tmpdir(), 'baton-kinds-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const volumeDir = (pod: KubeObject, name: string) => join(h.stateDir, 'pods', pod.metadata.uid!, 'volumes', name);
  const sleeper = (mounts: Array<{ name: string; mountPath: string }>, script = 'exec sleep 600') => ({ name: 'app', command: ['sh', '-c', script], volumeMounts: mounts });

  it('projects configMap items, downwardAPI fields and projected sources with Kubernetes\' contents and modes', async () => {
    await h.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: h.namespace }, data: { a: 'A', b: 'B' } });
    await h.cluster.create(resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: h.namespace }, data: { token: Buffer.from('t0k').toString('base64') } });
    const info = join(root, 'info');
    await h.cluster.create(resources.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'files', namespace: h.namespace, labels: { tier: 'front', app: 'web' }, annotations: { note: 'say "hi"\n' } },
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'settings', defaultMode: 0o640, items: [{ key: 'a', path: 'nested/a.txt' }, { key: 'b', path: 'b', mode: 0o600 }] } },
          {
            name: 'info',
            downwardAPI: {
              items: [
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
                { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o400 },
                { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
                { path: 'absent', fieldRef: { fieldPath: "metadata.annotations['absent']" } },
                { path: 'cpu-millis', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
                { path: 'cpu-cores', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
                { path: 'memory-mi', resourceFieldRef: { containerName: 'app', resource: 'requests.memory', divisor: '1Mi' } },
                { path: 'limit-bytes', resourceFieldRef: { containerName: 'app', resource: 'limits.memory' } },
              ],
            },
          },
          {
            name: 'all',
            projected: {
              defaultMode: 0o440,
              sources: [
                { configMap: { name: 'settings', items: [{ key: 'a', path: 'config/a' }] } },
                { secret: { name: 'creds' } },
                { downwardAPI: { items: [{ path: 'pod/name', fieldRef: { fieldPath: 'metadata.name' } }] } },
              ],
            },
          },
        ],
        containers: [{
          ...sleeper([{ name: 'info', mountPath: info }], `cat "${info}/labels"; echo; exec sleep 600`),
          resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { memory: '32Mi' } },
        }],
      },
    });
    const pod = await h.waitForPod('files', 'Running', running);
    const cfg = volumeDir(pod, 'cfg');
    expect(readFileSync(join(cfg, 'nested/a.txt'), 'utf8')).toBe('A');
    expect(mode(join(cfg, 'nested/a.txt'))).toBe(0o640);
    expect(mode(join(cfg, 'b'))).toBe(0o600);

    const dir = volumeDir(pod, 'info');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(Object.fromEntries(readdirSync(dir).sort().map((f) => [f, read(f)]))).toEqual({
      absent: '',
      annotations: 'note="say \\"hi\\"\\n"',
      app: 'web',
      'cpu-cores': '1',
      'cpu-millis': '250',
      labels: 'app="web"\ntier="front"',
      'limit-bytes': String(64 * 2 ** 20),
      'memory-mi': '32',
      name: 'files',
      namespace: h.namespace,
      uid: pod.metadata.uid,
    });
    expect(mode(join(dir, 'name'))).toBe(0o644);
    expect(mode(join(dir, 'annotations'))).toBe(0o400);
    // The container sees the same files at its mountPath.
    expect(await waitFor('the labels in the log', async () => (await h.logs('files')).includes('tier="front"') && (await h.logs('files')), { timeoutMs: 20_000, intervalMs: 200 })).toBe('app="web"\ntier="front"\n');

    const all = volumeDir(pod, 'all');
    expect(readFileSync(join(all, 'config/a'), 'utf8')).toBe('A');
    expect(readFileSync(join(all, 'token'), 'utf8')).toBe('t0k');
    expect(readFileSync(join(all, 'pod/name'), 'utf8')).toBe('files');
    for (const f of ['config/a', 'token', 'pod/name']) expect(mode(join(all, f)), f).toBe(0o440);
  });

  it('makes emptyDir 0777, and medium Memory a tmpfs of sizeLimit while the pod runs, unmounted when it is deleted', async () => {
    await h.createPod('scratch', {
      volumes: [{ name: 'disk', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
      containers: [sleeper([{ name: 'mem', mountPath: join(root, 'mem') }])],
    });
    const pod = await h.waitForPod('scratch', 'Running', running);
    expect(mode(volumeDir(pod, 'disk'))).toBe(0o777);
    const mem = volumeDir(pod, 'mem');
    const findmnt = () => spawnSync('findmnt', ['-n', '-o', 'FSTYPE,OPTIONS', mem], { encoding: 'utf8' });
    const mounted = findmnt();
    expect(mounted.status).toBe(0);
    expect(mounted.stdout).toMatch(/^tmpfs\s+\S*size=16384k/);
    expect(mounted.stdout).toMatch(/mode=777/);

    await h.cluster.delete(resources.pods, h.namespace, 'scratch', { gracePeriodSeconds: 0 });
    await waitFor('the tmpfs unmounted and the pod dir gone', () => findmnt().status !== 0 && !existsSync(join(h.stateDir, 'pods', pod.metadata.uid!)), { timeoutMs: 20_000, intervalMs: 200 });
  });

  it('checks and creates hostPath volumes by type, and shows a failed check as the container\'s waiting message', async () => {
    const host = join(root, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'file.txt'), 'x');
    await h.createPod('host-ok', {
      volumes: [
        { name: 'dir', hostPath: { path: host, type: 'Directory' } },
        { name: 'made-dir', hostPath: { path: join(host, 'new/deeper'), type: 'DirectoryOrCreate' } },
        { name: 'made-file', hostPath: { path: join(host, 'made.txt'), type: 'FileOrCreate' } },
        { name: 'file', hostPath: { path: join(host, 'file.txt'), type: 'File' } },
        { name: 'untyped', hostPath: { path: join(host, 'untyped') } },
      ],
      containers: [sleeper([{ name: 'made-file', mountPath: join(root, 'seen.txt') }])],
    });
    await h.waitForPod('host-ok', 'Running', running);
    expect(mode(join(host, 'new/deeper'))).toBe(0o755);
    expect(statSync(join(host, 'made.txt')).isFile()).toBe(true);
    expect(mode(join(host, 'made.txt'))).toBe(0o644);
    expect(statSync(join(host, 'untyped')).isDirectory()).toBe(true);

    const wrong: Array<[string, string, string, string]> = [
      ['wrong-dir', join(host, 'file.txt'), 'Directory', 'is not a directory'],
      ['wrong-socket', host, 'Socket', 'is not a socket file'],
      ['wrong-char', join(host, 'file.txt'), 'CharDevice', 'is not a character device'],
      ['wrong-file', join(host, 'missing'), 'File', 'is not a file'],
    ];
    for (const [name, path, type] of wrong) {
      await h.createPod(name, { volumes: [{ name: 'data', hostPath: { path, type } }], containers: [sleeper([{ name: 'data', mountPath: join(root, name) }])] });
    }
    for (const [name, path, , problem] of wrong) {
      const pod = await h.waitForPod(name, 'waiting', (p) => !!waitingMessage(p));
      expect(pod.status.containerStatuses[0].state.waiting).toEqual({
        reason: 'CreateContainerConfigError',
        message: `MountVolume.SetUp failed for volume "data" : hostPath type check failed: ${path} ${problem}`,
      });
    }
    expect(existsSync(join(host, 'missing'))).toBe(false);
  });

  it('names what it cannot provide: service account tokens (a kubelet given no token source) and a claim that does not exist', async () => {
    await h.createPod('token', {
      volumes: [{ name: 'sa', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } }],
      containers: [sleeper([{ name: 'sa', mountPath: join(root, 'sa') }])],
    });
    await h.createPod('claim', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }], containers: [sleeper([])] });
    expect(waitingMessage(await h.waitForPod('token', 'waiting', (p) => !!waitingMessage(p)))).toBe(
      'MountVolume.SetUp failed for volume "sa" : projected serviceAccountToken: service account tokens are not served by this runtime',
    );
    // The scheduler's VolumeBinding check holds it: Pending, unscheduled, as Kubernetes words it.
    const unschedulable = (p: KubeObject) => (p.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
    const held = await h.waitForPod('claim', 'unschedulable', (p) => !!unschedulable(p));
    expect(held.status?.phase).toBe('Pending');
    expect(unschedulable(held).message).toMatch(/^0\/1 nodes are available: persistentvolumeclaim "c" not found\./);
  });

  it('writes nothing outside the volume for a stored pod whose item paths climb out or are absolute', async () => {
    // The in-process cluster takes objects without the API's validation, as a store written before it would hold them.
    const outside = join(root, 'abs-target');
    await h.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'evil', namespace: h.namespace }, data: { k: 'pwned' } });
    const cases: Array<[string, string, string]> = [
      ['climb', '../../../../escaped.txt', "invalid path: must not contain '..': ../../../../escaped.txt"],
      ['absolute', `${outside}/abs.txt`, `invalid path: must be relative path: ${outside}/abs.txt`],
    ];
    for (const [name, path] of cases) {
      await h.createPod(name, { volumes: [{ name: 'v', configMap: { name: 'evil', items: [{ key: 'k', path }] } }], containers: [sleeper([{ name: 'v', mountPath: join(root, name) }])] });
    }
    for (const [name, , message] of cases) {
      const pod = await h.waitForPod(name, 'waiting', (p) => !!waitingMessage(p));
      expect(waitingMessage(pod)).toBe(`MountVolume.SetUp failed for volume "v" : ${message}`);
    }
    expect(existsSync(join(h.stateDir, 'escaped.txt'))).toBe(false);
    expect(existsSync(outside)).toBe(false);
  });

  it('never follows a symlink left in a volume when it writes the next version', async () => {
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'target'), 'original');
    await h.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'swap', namespace: h.namespace }, data: { top: 'v1', inner: 'v1' } });
    await h.createPod('swap', {
      volumes: [{ name: 'v', configMap: { name: 'swap', items: [{ key: 'top', path: 'top' }, { key: 'inner', path: 'sub/inner' }] } }],
      containers: [sleeper([{ name: 'v', mountPath: join(root, 'swap') }])],
    });
    const pod = await h.waitForPod('swap', 'Running', running);
    const volume = volumeDir(pod, 'v');
    expect(readFileSync(join(volume, 'sub/inner'), 'utf8')).toBe('v1');
    // What a container running as root could do to a volume it can write (the process driver runs pods unprivileged, so the test does it).
    rmSync(join(volume, 'sub'), { recursive: true });
    rmSync(join(volume, 'top'));
    symlinkSync(out, join(volume, 'sub'));
    symlinkSync(join(out, 'target'), join(volume, 'top'));
    const cm = await h.cluster.get(resources.configmaps, h.namespace, 'swap');
    await h.cluster.update(resources.configmaps, { ...cm, data: { top: 'v2', inner: 'v2' } });
    const top = join(volume, 'top');
    // The next projection replaced the link itself; project() is synchronous, so the nested write was tried as well.
    await waitFor('top rewritten as a file', () => !lstatSync(top).isSymbolicLink() && readFileSync(top, 'utf8') === 'v2', { timeoutMs: 20_000, intervalMs: 200 });
    expect(readFileSync(join(out, 'target'), 'utf8')).toBe('original');
    expect(readdirSync(out)).toEqual(['target']);
    expect(lstatSync(join(volume, 'sub')).isSymbolicLink()).toBe(true);
  });
});
