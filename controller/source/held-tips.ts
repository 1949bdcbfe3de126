import fs from 'node:fs';
import git from 'isomorphic-git';
import { ObjectStore } from './pack/object-store.js';

/**
 * The commits (and tags) the refs of `gitdir` name that it holds, at most `max`:
 * a fetch's `have` lines. A ref whose object is gone (a compacted mirror
 * dropped an old pull request head) is left out, since the server would take
 * a `have` to mean everything it reaches is here.
 */
export async function heldTips(gitdir: string, max = 256): Promise<string[]> {
  const names = await git.listRefs({ fs, gitdir, filepath: 'refs' }).catch(() => [] as string[]);
  const store = new ObjectStore(gitdir);
  const tips = new Set<string>();
  for (const name of names) {
    if (tips.size >= max) break;
    const oid = await git.resolveRef({ fs, gitdir, ref: `refs/${name}` }).catch(() => undefined);
    if (oid && !tips.has(oid) && (await store.has(oid).catch(() => false))) tips.add(oid);
  }
  return [...tips];
}
