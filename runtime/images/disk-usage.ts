import { lstatSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of the files under `path` (hardlinked files counted once). */
export function directoryBytes(path: string, seen = new Set<number>()): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(path);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(path, name);
    const st = lstatSync(p);
    if (st.isDirectory()) total += directoryBytes(p, seen);
    else if (!seen.has(st.ino)) {
      seen.add(st.ino);
      total += st.size;
    }
  }
  return total;
}

/** Percent of the filesystem holding `path` that is used, as `df` computes it. */
export function diskUsedPercent(path: string): number {
  const s = statfsSync(path);
  const used = s.blocks - s.bfree;
  const total = used + s.bavail;
  return total === 0 ? 0 : (100 * used) / total;
}
