import fs from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';

// The mirror keeps the remote's ref names, so `refs/pull/7/head` stays `refs/pull/7/head`.
const MIRROR_REFSPEC = '+refs/*:refs/*';

/** Whether `gitdir` still looks like a Git directory (config, HEAD and objects/ in place). */
export async function isMirror(gitdir: string): Promise<boolean> {
  const found = await Promise.all(['config', 'HEAD', 'objects'].map((name) => stat(join(gitdir, name)).catch(() => undefined)));
  return found.every((s) => s !== undefined);
}

/** An empty bare repository set up to mirror the remote's ref names. */
export async function initMirror(gitdir: string, url: string): Promise<void> {
  await mkdir(gitdir, { recursive: true });
  await git.init({ fs, gitdir, bare: true, defaultBranch: 'main' });
  await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: url });
  await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: MIRROR_REFSPEC });
}
