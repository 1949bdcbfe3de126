import { readlinkSync, realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';
import { waitFor } from '../support/wait.js';
import { mountsBelow } from '../../runtime/kubelet/mounts-below.js';

let registry: LocalRegistry;
let rt: OciRuntime;
let image: string;

const ended = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

beforeAll(async () => {
  registry = await startRegistry();
  image = `${registry.host}/ns/box:v1`;
  await pushImage(registry, 'ns/box:v1', buildImage({ env: ['PATH=/bin'] }));
  rt = await startOciRuntime();
});

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
});

describe('the containers of an image pod', () => {
  it('share one IPC namespace, /dev/shm and uts namespace, which outlive each container, as a Kubernetes pod sandbox holds them', async () => {
    const report = 'cat /dev/shm/note; readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts; hostname';
    await rt.createPod('shared-ipc', {
      restartPolicy: 'Never',
      // The init container has ended before the others start: what it left in the pod's IPC namespace and /dev/shm stays.
      initContainers: [{ name: 'init', image, command: ['sh', '-c', 'echo from-init > /dev/shm/note; readlink /proc/self/ns/ipc >> /dev/shm/note'] }],
      containers: [
        { name: 'a', image, command: ['sh', '-c', report] },
        { name: 'b', image, command: ['sh', '-c', report] },
      ],
    });
    const done = await rt.waitForPod('shared-ipc', 'finished', ended);
    expect(done.status!.phase).toBe('Succeeded');
    const [a, b] = [await rt.logs('shared-ipc', 'a'), await rt.logs('shared-ipc', 'b')];
    expect(b).toBe(a);
    const [note, initIpc, ipc, uts, hostname] = a.trim().split('\n');
    expect(note).toBe('from-init');
    expect(ipc).toBe(initIpc);
    expect(ipc).not.toBe(readlinkSync('/proc/self/ns/ipc'));
    expect(uts).not.toBe(readlinkSync('/proc/self/ns/uts'));
    expect(hostname).toBe('shared-ipc');
    // Released with the finished pod's sandbox, not kept until the pod is deleted.
    await waitFor('the finished pod\'s shared namespaces to be released', () => mountsBelow(realpathSync(rt.dir)).every((m) => !m.includes('/ns/')), { timeoutMs: 30_000, intervalMs: 200 });
  });
});
