import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../support/git-http-server.js';

/**
 * A served bare repository `<root>/<name>.git` and a working clone that
 * pushes to it, in a fresh temp dir.
 */
export interface GitFixture {
  dir: string;
  /** GIT_PROJECT_ROOT for startGitHttpServer. */
  root: string;
  bare: string;
  work: string;
  stateDir: string;
  /** Writes files (a `{symlink}` value makes a symlink), commits them, pushes; returns the commit id. */
  commit(files: Record<string, string | { symlink: string }>, message?: string, push?: boolean): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createGitFixture(name = 'app'): Promise<GitFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-source-'));
  const root = join(dir, 'served');
  const bare = join(root, `${name}.git`);
  const work = join(dir, 'work');
  const stateDir = join(dir, 'state');
  await mkdir(root, { recursive: true });
  await git(dir, 'init', '-q', '--bare', '-b', 'main', bare);
  await git(dir, 'init', '-q', '-b', 'main', work);
  await git(work, 'remote', 'add', 'origin', bare);
  let n = 0;
  return {
    dir,
    root,
    bare,
    work,
    stateDir,
    async commit(files, message = `change ${++n}`, push = true) {
      for (const [path, content] of Object.entries(files)) {
        const full = join(work, path);
        await mkdir(dirname(full), { recursive: true });
        await rm(full, { force: true });
        if (typeof content === 'string') await writeFile(full, content);
        else await symlink(content.symlink, full);
      }
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '-m', message);
      if (push) await git(work, 'push', '-q', '-f', 'origin', 'HEAD:main');
      return git(work, 'rev-parse', 'HEAD');
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
