import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { ContainerConfigError } from './container-env.js';
import { unmountBelow } from './mounts-below.js';

/**
 * Bind-mounts what the open descriptor `fd` is at `target` (made a directory
 * or an empty file to match), replacing what an earlier start mounted there.
 * The kernel resolves `/proc/<pid>/fd/<fd>` to the very inode, whatever its
 * path now leads to; `--no-canonicalize` keeps mount(8) from turning it back
 * into a path.
 */
export function bindAt(fd: number, target: string): void {
  unmountBelow(target);
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
  try {
    execFileSync('mount', ['--no-canonicalize', '--bind', `/proc/${process.pid}/fd/${fd}`, target], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ContainerConfigError(`cannot mount the subPath: ${stderr || (err as Error).message}`);
  }
}
