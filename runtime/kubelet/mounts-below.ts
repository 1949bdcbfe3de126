import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launcher } from '../launcher/index.js';

/** Mount points at or below `dir`, deepest first (octal escapes of mountinfo decoded). */
export function mountsBelow(dir: string): string[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const line of info.split('\n')) {
    const point = line.split(' ')[4];
    if (!point) continue;
    const path = point.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (path === dir || path.startsWith(`${dir}/`)) found.add(path);
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * Lazily unmounts everything at or below `dir`: a pod's directory may still
 * hold a container's overlay or a memory volume when a crash interrupted
 * its cleanup, and removing a directory with a mount inside fails (EBUSY).
 */
export function unmountBelow(dir: string): void {
  for (const point of mountsBelow(dir)) spawnSync('umount', ['--lazy', point], { stdio: 'ignore', timeout: 10_000 });
}

/** unmountBelow through the launcher, for a path on a container's start: no fork of the runtime per umount. */
export async function unmountBelowLazily(dir: string): Promise<void> {
  for (const point of mountsBelow(dir)) await launcher().run('umount', ['--lazy', point], { timeoutMs: 10_000 });
}
