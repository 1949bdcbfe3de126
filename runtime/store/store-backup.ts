import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkStoreIntegrity } from './store-integrity.js';

const STORE = 'store.db';
const KEY = 'encryption-key';

function openQuiet(file: string, what: string): Database.Database {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 200');
    // Reading the schema takes the lock a running runtime holds exclusively.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY')) throw new Error(`${file} is in use by a running baton runtime; stop it first, then ${what} again`, { cause: err });
    throw new Error(`${file} cannot be opened: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Copies the runtime's store (an SQLite backup, consistent even mid-WAL) and
 * its encryption key to `toDir` (made 0700, files 0600): without the key the
 * backup's Secrets could not be read. The runtime must be stopped.
 */
export async function backupStore(storeDir: string, toDir: string): Promise<{ objects: number }> {
  if (existsSync(toDir) && readdirSync(toDir).length > 0) throw new Error(`${toDir} is not empty; back up into a new directory`);
  const db = openQuiet(join(storeDir, STORE), 'back up');
  try {
    checkStoreIntegrity(db, join(storeDir, STORE), storeDir);
    mkdirSync(toDir, { recursive: true, mode: 0o700 });
    chmodSync(toDir, 0o700);
    await db.backup(join(toDir, STORE));
    const { n } = db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number };
    chmodSync(join(toDir, STORE), 0o600);
    if (existsSync(join(storeDir, KEY))) {
      copyFileSync(join(storeDir, KEY), join(toDir, KEY));
      chmodSync(join(toDir, KEY), 0o600);
    }
    return { objects: n };
  } finally {
    db.close();
  }
}

/**
 * Puts a backup in place of the runtime's store (the runtime must be
 * stopped); the store it replaces is kept beside it as
 * `store.db.before-restore-<time>`. The backup is checked before anything moves.
 */
export function restoreStore(fromDir: string, storeDir: string): { objects: number; keptAs?: string } {
  const backup = openQuiet(join(fromDir, STORE), 'restore');
  let objects: number;
  try {
    checkStoreIntegrity(backup, join(fromDir, STORE), fromDir);
    objects = (backup.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n;
  } finally {
    backup.close();
  }
  mkdirSync(storeDir, { recursive: true, mode: 0o700 });
  const live = join(storeDir, STORE);
  let keptAs: string | undefined;
  if (existsSync(live)) {
    openQuiet(live, 'restore').close();
    keptAs = `${live}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(live, keptAs);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(live + suffix, { force: true });
  copyFileSync(join(fromDir, STORE), live);
  chmodSync(live, 0o600);
  if (existsSync(join(fromDir, KEY))) {
    copyFileSync(join(fromDir, KEY), join(storeDir, KEY));
    chmodSync(join(storeDir, KEY), 0o600);
  }
  return { objects, keptAs };
}
