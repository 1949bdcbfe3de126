import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a small regular file of an unpacked image (its /etc/passwd, say).
 * A symlink anywhere on the way is not followed: it could point at the host's files.
 */
export function readImageFile(rootfs: string, relative: string): string | undefined {
  let path = rootfs;
  for (const part of relative.split('/')) {
    path = join(path, part);
    try {
      if (lstatSync(path).isSymbolicLink()) return undefined;
    } catch {
      return undefined;
    }
  }
  try {
    return readFileSync(path, 'utf8').slice(0, 1 << 20);
  } catch {
    return undefined;
  }
}
