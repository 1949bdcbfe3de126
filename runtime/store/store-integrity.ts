import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';

/** What to tell the operator whose store is damaged or gone. */
export function restoreHint(stateDir: string): string {
  return `stop baton, then restore the last backup: \`baton runtime restore <backup-dir> --state-dir ${join(stateDir, '..')}\` (backups are made with \`baton runtime backup <dir>\`)`;
}

/**
 * A store file that is empty or missing while the state dir has already run
 * a cluster (its encryption key was made with the first store) means the
 * objects were lost: starting an empty cluster would silently drop every
 * object not in Git, so the start is refused.
 */
export function checkStorePresent(stateDir: string, keyExisted: boolean): void {
  const file = join(stateDir, 'store.db');
  const size = existsSync(file) ? statSync(file).size : -1;
  if (!keyExisted || size > 0) return;
  const found = size < 0 ? 'it is missing' : 'it is empty (0 bytes)';
  throw new Error(`the runtime's store ${file} cannot be used: ${found}, but ${join(stateDir, 'encryption-key')} shows this state dir held a cluster; ${restoreHint(stateDir)}`);
}

/** SQLite's own check of the file's structure; throws a plain sentence naming the file and the first problem. */
export function checkStoreIntegrity(db: Database.Database, file: string, stateDir: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((r) => r.quick_check);
  } catch (err) {
    throw new Error(`the runtime's store ${file} is not a readable database (${(err as Error).message}); ${restoreHint(stateDir)}`, { cause: err });
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  throw new Error(`the runtime's store ${file} is corrupt (${problems.slice(0, 3).join('; ')}); ${restoreHint(stateDir)}`);
}
