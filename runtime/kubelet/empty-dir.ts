import { execFileSync } from 'node:child_process';
import { launcher } from '../launcher/index.js';
import { chmodSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { mountsBelow } from './mounts-below.js';
import type { KubeObject } from '../kube/object.js';
import { ContainerConfigError } from './container-env.js';
import { localNodeResources } from './node-registration.js';
import { memoryBytes } from '../kube/quantity.js';

/**
 * The size of a memory-backed emptyDir as Kubernetes computes it: the node's
 * memory, or the pod's memory limit when every container has one, or the
 * volume's sizeLimit when that is smaller still.
 */
function tmpfsSize(pod: KubeObject, sizeLimit: unknown): number {
  let size = localNodeResources('').memoryBytes;
  const containers: any[] = pod.spec?.containers ?? [];
  const inits: any[] = pod.spec?.initContainers ?? [];
  const limit = (c: any) => memoryBytes(c.resources?.limits?.memory);
  if ([...containers, ...inits].every((c) => limit(c) > 0)) {
    const podLimit = Math.max(containers.reduce((sum, c) => sum + limit(c), 0), ...inits.map(limit));
    if (podLimit > 0 && podLimit <= size) size = podLimit;
  }
  if (sizeLimit !== undefined && sizeLimit !== null) {
    let wanted: number;
    try {
      wanted = memoryBytes(sizeLimit as string);
    } catch (err) {
      throw new ContainerConfigError(`emptyDir sizeLimit: ${(err as Error).message}`);
    }
    if (wanted > 0 && wanted <= size) size = wanted;
  }
  return size;
}

/**
 * Makes an emptyDir volume at `dir`, mode 0777 as Kubernetes makes it; with
 * `medium: Memory` a tmpfs is mounted there (once: it survives kubelet
 * restarts and is unmounted by `releaseMemoryVolumes` when the pod is forgotten),
 * by mount(8) through the launcher: a pod's start does not hold the event loop.
 */
export async function ensureEmptyDir(dir: string, source: any, pod: KubeObject): Promise<void> {
  const medium: string = source?.medium ?? '';
  if (medium !== '' && medium !== 'Memory') {
    throw new ContainerConfigError(medium.startsWith('HugePages') ? `emptyDir medium ${medium} is not supported by the built-in runtime` : `unknown storage medium "${medium}"`);
  }
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (medium === 'Memory') {
    const real = realpathSync(dir);
    if (mountsBelow(real).includes(real)) return;
    const result = await launcher().run('mount', ['-t', 'tmpfs', '-o', `mode=0777,size=${tmpfsSize(pod, source.sizeLimit)}`, 'tmpfs', dir], { timeoutMs: 10_000 });
    if (result.code === 0) return;
    throw new Error(`cannot mount the memory-backed emptyDir: ${result.timedOut ? 'mount did not finish within 10 s' : result.stderr.trim() || `mount exited with status ${result.code}`}`);
  }
  // Only when made: what the pod did with its directory since is its own business.
  if (fresh) chmodSync(dir, 0o777);
}

/** Unmounts every tmpfs made below `volumesDir` (deepest first); a no-op when there is none. */
export function releaseMemoryVolumes(volumesDir: string): void {
  if (!existsSync(volumesDir)) return;
  for (const target of mountsBelow(realpathSync(volumesDir))) {
    try {
      execFileSync('umount', [target], { stdio: 'ignore' });
    } catch {
      // Still busy (a process that outlived its pod): detach it now, the kernel frees it when unused.
      execFileSync('umount', ['-l', target], { stdio: 'ignore' });
    }
  }
}
