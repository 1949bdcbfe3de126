import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SourceError } from './source-error.js';

/**
 * The Git directory of a local repository at `path`: `path/.git`, the common
 * directory of a linked worktree (`.git` is a file; branches live in the
 * common dir), or `path` itself when it is a bare repository.
 */
export async function findGitdir(path: string): Promise<string> {
  const dotgit = join(path, '.git');
  const st = await stat(dotgit).catch(() => undefined);
  if (st?.isDirectory()) return dotgit;
  if (st?.isFile()) {
    const text = await readFile(dotgit, 'utf8');
    const m = /^gitdir:\s*(.+)$/m.exec(text);
    if (m) {
      const gitdir = resolve(path, m[1].trim());
      const common = await readFile(join(gitdir, 'commondir'), 'utf8').catch(() => undefined);
      return common ? resolve(gitdir, common.trim()) : gitdir;
    }
  }
  const [head, objects] = await Promise.all([stat(join(path, 'HEAD')).catch(() => undefined), stat(join(path, 'objects')).catch(() => undefined)]);
  if (head?.isFile() && objects?.isDirectory()) return path;
  throw new SourceError('NOT_A_REPOSITORY', `${path} is not a Git repository (no .git directory, and not a bare repository)`, { url: path });
}
