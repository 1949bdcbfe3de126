import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launcher } from '../launcher/index.js';
import { mountsBelow, unmountBelowLazily } from './mounts-below.js';
import { HELPER_ENV } from './pod-env-handoff.js';

function sharedDir(podDir: string): string {
  return join(podDir, 'ns');
}

/** What this process already made or found mounted, by pod directory: a start then reads no mount table (a burst of 1,000 pods read it 1,000 times). */
const ensured = new Map<string, PodSharedNamespaces>();

/** Unmounts a pod's shared namespaces and /dev/shm (its containers are gone) through the launcher; a no-op when there are none. */
export async function releaseSharedNamespaces(podDir: string): Promise<void> {
  ensured.delete(podDir);
  if (existsSync(sharedDir(podDir))) await unmountBelowLazily(realpathSync(sharedDir(podDir)));
}

/** What every image container of a pod joins instead of making its own; absent where the pod has the host's. */
export interface PodSharedNamespaces {
  /** A bind mount of the pod's IPC namespace (`nsfs`). */
  ipcPath?: string;
  /** A bind mount of the pod's uts namespace, its hostname already set. */
  utsPath?: string;
  /** The pod's /dev/shm: a tmpfs every container mounts, so POSIX shared memory is the pod's too. */
  shmDir?: string;
}

/** /dev/shm of a pod, as containerd sizes the sandbox's. */
const SHM_BYTES = 64 * 1024 * 1024;

/**
 * The IPC and uts namespaces and the /dev/shm that all containers of a pod
 * share on Kubernetes, where the pod's sandbox (pause) holds them. No process
 * holds them here: bind mounts below the pod's directory do (as `ip netns`
 * keeps a network namespace), made once with util-linux's `unshare` and
 * released when the pod finishes or is forgotten (releaseSharedNamespaces;
 * PodRecordStore.remove unmounts what is below its directory too).
 * Idempotent: a restarted runtime finds them mounted; after a reboot they are
 * made again. Throws with unshare's or mount's complaint.
 */
export async function ensureSharedNamespaces(podDir: string, hostname: string, host: { network?: boolean; ipc?: boolean }): Promise<PodSharedNamespaces> {
  const known = ensured.get(podDir);
  if (known) return known;
  const dir = sharedDir(podDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const real = realpathSync(dir);
  const mounted = new Set(mountsBelow(real));
  const shared: PodSharedNamespaces = {};
  const unshare: string[] = [];
  const script: string[] = [];
  if (!host.ipc) {
    shared.ipcPath = join(real, 'ipc');
    shared.shmDir = join(real, 'shm');
    if (!mounted.has(shared.ipcPath)) {
      writeFileSync(shared.ipcPath, '');
      unshare.push(`--ipc=${shared.ipcPath}`);
    }
    if (!mounted.has(shared.shmDir)) {
      mkdirSync(shared.shmDir, { recursive: true });
      script.push(`mount -t tmpfs -o nosuid,nodev,noexec,mode=1777,size=${SHM_BYTES} shm "$2"`);
    }
  }
  if (!host.network) {
    shared.utsPath = join(real, 'uts');
    if (!mounted.has(shared.utsPath)) {
      writeFileSync(shared.utsPath, '');
      unshare.push(`--uts=${shared.utsPath}`);
      script.push('printf %s "$1" > /proc/sys/kernel/hostname');
    }
  }
  if (unshare.length > 0 || script.length > 0) await makeShared(unshare, script, hostname, shared.shmDir);
  ensured.set(podDir, shared);
  return shared;
}

async function makeShared(unshare: string[], script: string[], hostname: string, shmDir: string | undefined): Promise<void> {
  // One exec for all of it: unshare makes (and bind-mounts) the namespaces, the shell names the uts one and mounts /dev/shm.
  const argv = [...unshare, '--', 'sh', '-c', script.join(' && ') || ':', 'baton-pod-namespaces', hostname, shmDir ?? ''];
  const result = await launcher(HELPER_ENV).run('unshare', argv, { timeoutMs: 10_000 });
  if (result.code !== 0) throw new Error(`cannot make the pod's shared IPC and uts namespaces: ${(result.stderr || result.stdout).trim() || `unshare exited ${result.code}`}`);
}
