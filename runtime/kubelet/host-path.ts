import { closeSync, constants, mkdirSync, openSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ContainerConfigError } from './container-env.js';

/** What each hostPath type requires of the path, and Kubernetes' words when it is something else. */
const CHECKS: Record<string, [(st: Stats) => boolean, string]> = {
  Directory: [(st) => st.isDirectory(), 'a directory'],
  // Kubernetes' file type is anything that is not a directory, socket or device.
  File: [(st) => !st.isDirectory() && !st.isSocket() && !st.isCharacterDevice() && !st.isBlockDevice(), 'a file'],
  Socket: [(st) => st.isSocket(), 'a socket file'],
  CharDevice: [(st) => st.isCharacterDevice(), 'a character device'],
  BlockDevice: [(st) => st.isBlockDevice(), 'a block device'],
};

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The host's kernel filesystems, refused as hostPaths unless the runtime allows
 * privileges: /proc shows every process of the host (another pod's environment,
 * its files through /proc/<pid>/root, writable sysctls), /sys the host's cgroups
 * and /dev its devices and /dev/shm, where sandboxes hand a pod its environment.
 */
export const KERNEL_PATHS = ['/proc', '/sys', '/dev'];

/**
 * Where `path` leads now: the real path of its deepest existing ancestor, then
 * the names still to be made. A symlink on the way (one another pod planted in
 * its own hostPath) is followed, as mkdir and open would follow it.
 */
function resolvedNow(path: string): string {
  let head = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(path);
      rest.unshift(basename(head));
      head = parent;
    }
  }
}

/**
 * A hostPath at, inside or above baton's state dir would hand a pod the tokens
 * and the store; one of the host's kernel filesystems, other pods.
 */
function refuseProtected(path: string, protectedPaths: string[]): void {
  const real = resolvedNow(path);
  for (const p of protectedPaths.map((d) => resolve(d))) {
    const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
    if (!within(real, p) && !within(p, real)) continue;
    if (KERNEL_PATHS.includes(p)) throw new ContainerConfigError(`hostPath ${path} would expose the host's kernel filesystem ${p} (other pods' processes, cgroups, devices), which no pod may reach unless the runtime is started with --allow-privileged`);
    throw new ContainerConfigError(`hostPath ${path} would expose baton's state dir ${p}, which no pod may reach`);
  }
}

/**
 * Checks (and for the *OrCreate types creates) a hostPath volume's path as
 * Kubernetes' hostPath plugin does, and returns it as the mount source. An
 * untyped path is not checked; when missing it is made a directory, as
 * container runtimes do for a bind mount's source.
 */
export function hostPathSource(path: string, type: string | undefined, protectedPaths: string[] = []): string {
  refuseProtected(path, protectedPaths);
  let kind = type ?? '';
  let st = statOf(path);
  if (kind === '') {
    try {
      if (!st) mkdirSync(path, { recursive: true, mode: 0o755 });
    } catch (err) {
      throw new ContainerConfigError(`hostPath ${path}: ${(err as Error).message}`);
    }
    return path;
  }
  if (kind === 'DirectoryOrCreate' || kind === 'FileOrCreate') {
    if (!st) {
      try {
        if (kind === 'DirectoryOrCreate') mkdirSync(path, { recursive: true, mode: 0o755 });
        // As Kubernetes: the file is created, its parent directory is not. Never through a symlink
        // left in its name (a dangling one, checked above as itself): that one fails the type check below.
        else closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ContainerConfigError(`hostPath ${path}: ${(err as Error).message}`);
      }
      st = statOf(path);
    }
    kind = kind === 'DirectoryOrCreate' ? 'Directory' : 'File';
  }
  const check = CHECKS[kind];
  if (!check) throw new ContainerConfigError(`${kind} is an invalid volume type`);
  if (!st || !check[0](st)) throw new ContainerConfigError(`hostPath type check failed: ${path} is not ${check[1]}`);
  return path;
}
