import fs from 'node:fs';
import { cp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';

/**
 * Makes `dir` a Git repository holding a copy of `from` in one commit on
 * `main`, unless it already is a repository (then it is left alone: the
 * user's commits since the first start are kept). Returns true when it seeded.
 */
export async function seedRepository(from: string, dir: string): Promise<boolean> {
  if (await stat(join(dir, '.git')).catch(() => undefined)) return false;
  await cp(from, dir, { recursive: true, errorOnExist: false });
  await git.init({ fs, dir, defaultBranch: 'main' });
  const files = await git.listFiles({ fs, dir, ref: undefined }).catch(() => [] as string[]);
  if (files.length === 0) await git.add({ fs, dir, filepath: '.' });
  await git.commit({
    fs,
    dir,
    message: 'The shop, as baton up first syncs it\n\nCommit changes here and baton deploys them.',
    author: { name: 'baton', email: 'baton@localhost' },
  });
  return true;
}
