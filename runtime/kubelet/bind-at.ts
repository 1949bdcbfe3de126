import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { launcher } from '../launcher/index.js';
import { ContainerConfigError } from './container-env.js';
import { unmountBelowLazily } from './mounts-below.js';

/**
 * Bind-mounts what the open descriptor `fd` is at `target` (made a directory
 * or an empty file to match), replacing what an earlier start mounted there.
 * The kernel resolves `/proc/<pid>/fd/<fd>` to the very inode, whatever its
 * path now leads to; `--no-canonicalize` keeps mount(8) from turning it back
 * into a path. mount(8) runs through the launcher, so a container start does
 * not hold the event loop: the caller keeps `fd` open until this settles, and
 * until then the path names the checked inode, whatever is renamed meanwhile.
 */
export async function bindAt(fd: number, target: string): Promise<void> {
  await unmountBelowLazily(target);
  // What an earlier start left: an empty directory or file once unmounted (never emptied: it may still be a mount).
  try {
    if (lstatSync(target).isDirectory()) rmdirSync(target);
    else unlinkSync(target);
  } catch {
    // Not there yet.
  }
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  if (fstatSync(fd).isDirectory()) mkdirSync(target, { recursive: true, mode: 0o700 });
  else closeSync(openSync(target, 'a', 0o600));
  const result = await launcher().run('mount', ['--no-canonicalize', '--bind', `/proc/${process.pid}/fd/${fd}`, target], { timeoutMs: 10_000 });
  if (result.code === 0) return;
  const why = result.timedOut ? 'mount did not finish within 10 s' : result.stderr.trim() || `mount exited with status ${result.code}`;
  throw new ContainerConfigError(`cannot mount the subPath: ${why}`);
}
