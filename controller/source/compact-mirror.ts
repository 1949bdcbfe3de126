import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Number of pack files in a Git directory (each fetch adds one). */
export async function countPacks(gitdir: string): Promise<number> {
  const files = await readdir(join(gitdir, 'objects', 'pack')).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.pack')).length;
}

/**
 * Replaces the packs of mirror `gitdir` with the one pack a fresh fetch into a
 * scratch directory produced. isomorphic-git cannot repack, and every object
 * read scans all packs, so a mirror fetched thousands of times would slow down;
 * an occasional full fetch keeps it at one pack. Objects only the old packs held
 * (old pull request heads, commits dropped by a force-push) are gone afterwards
 * and are fetched again if asked for. Returns what `fetchInto` returned.
 */
export async function compactMirror<T>(gitdir: string, scratch: string, fetchInto: (scratchGitdir: string) => Promise<T>): Promise<T> {
  const packDir = join(gitdir, 'objects', 'pack');
  const old = await readdir(packDir).catch(() => [] as string[]);
  try {
    const result = await fetchInto(scratch);
    const fresh = await readdir(join(scratch, 'objects', 'pack'));
    // A reader finds a pack through its index: move packs before indexes in, drop indexes before packs.
    for (const ext of ['.pack', '.idx']) {
      for (const f of fresh.filter((n) => n.endsWith(ext))) await rename(join(scratch, 'objects', 'pack', f), join(packDir, f));
    }
    const keep = new Set(fresh);
    for (const ext of ['.idx', '.pack', '.rev', '.keep']) {
      for (const f of old.filter((n) => n.endsWith(ext) && !keep.has(n))) await rm(join(packDir, f), { force: true });
    }
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
