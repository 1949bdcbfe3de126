import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../kube/object.js';
import { SecretEnvelope } from './secret-envelope.js';
import { checkStoreIntegrity, checkStorePresent, restoreHint } from './store-integrity.js';
import { rememberJson, storedJson } from './stored-json.js';
import type { Persistence } from './group-commit.js';
import type { StoreEvent } from './watch-hub.js';

/** WAL written between checkpoints. */
const WAL_CHECKPOINT_BYTES = 32 * 1024 * 1024;

/** Rows of this type are encrypted at rest. */
const SECRETS = '/secrets';

export interface StoredRow {
  typeKey: string;
  object: KubeObject;
}

/**
 * Objects in `<stateDir>/store.db`. SQLite in WAL mode, one transaction per
 * batch of writes (see GroupCommit): a commit is atomic, so a SIGKILL at any
 * moment leaves either the old or the new state and never a torn file. synchronous=NORMAL skips the fsync
 * per commit; in WAL mode that is still durable against a process crash (the
 * OS holds the pages), which is our failure model — only power loss could
 * lose the last commits.
 */
export class SqliteStore implements Persistence {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly setRv: Database.Statement;
  private readonly write: (events: readonly StoreEvent[]) => void;
  private readonly envelope: SecretEnvelope;
  private readonly file: string;

  /** `rotateKey`: encrypt every Secret under a new key, then drop the old ones (`baton runtime --rotate-encryption-key`). */
  constructor(stateDir: string, options: { rotateKey?: boolean } = {}) {
    // Whatever the umask or a directory made beforehand: the store holds every object of the cluster.
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    chmodSync(stateDir, 0o700);
    const keyExisted = existsSync(join(stateDir, 'encryption-key'));
    checkStorePresent(stateDir, keyExisted);
    this.envelope = SecretEnvelope.open(stateDir);
    if (options.rotateKey) this.envelope.rotate();
    const file = join(stateDir, 'store.db');
    this.file = file;
    this.db = new Database(file);
    // A new store gets 16 KiB pages (SQLite's default is 4): a row is kept in its B-tree page only up to about a
    // quarter of a page, and most objects (a ConfigMap with its managedFields, ~1 KB; a pod, 2-4 KB) overflowed
    // 4 KiB pages into pages of their own, written and zeroed (secure_delete) with every write. CPU per write of a
    // ~1 KB object, 5 to 16 per transaction: 57-62 → 13-20 µs; 3.3 KB: 62-65 → 33-55 µs; 20 KB: 241-297 → 176-217 µs.
    // An existing store keeps its page size (it cannot change in WAL mode without a rewrite).
    this.db.pragma('page_size = 16384');
    // Deleted and overwritten rows are zeroed, so a Secret's old plain text does not linger in free pages.
    this.db.pragma('secure_delete = ON');
    // Exclusive: the in-memory index is the truth for reads, so a second
    // process writing the same file would silently diverge from it.
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('busy_timeout = 500');
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // A checkpoint (with its fsyncs) every 32 MiB of WAL (8192 pages of 4 KiB) instead of SQLite's 1000 pages: at
      // 1,000 pods it was half the cost of a write, and pods rewritten many times are copied back once per checkpoint.
      // The WAL file is cut back to 4 MiB after each, so the disk holds at most ~32 MiB of it between.
      this.db.pragma(`wal_autocheckpoint = ${Math.round(WAL_CHECKPOINT_BYTES / (this.db.pragma('page_size', { simple: true }) as number))}`);
      this.db.pragma('journal_size_limit = 4194304');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS objects (
          type TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
          rv INTEGER NOT NULL, data TEXT NOT NULL,
          PRIMARY KEY (type, namespace, name)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      `);
    } catch (err) {
      this.db.close();
      const code = (err as { code?: string }).code ?? '';
      if (code.startsWith('SQLITE_BUSY')) {
        throw new Error(`${file} is in use by another baton runtime; stop it or use another --state-dir`);
      }
      if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
        throw new Error(`the runtime's store ${file} is not a readable database (${(err as Error).message}); ${restoreHint(stateDir)}`, { cause: err });
      }
      throw err;
    }
    try {
      checkStoreIntegrity(this.db, file, stateDir);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.upsert = this.db.prepare(
      'INSERT INTO objects (type, namespace, name, rv, data) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (type, namespace, name) DO UPDATE SET rv = excluded.rv, data = excluded.data',
    );
    this.remove = this.db.prepare('DELETE FROM objects WHERE type = ? AND namespace = ? AND name = ?');
    this.setRv = this.db.prepare("INSERT INTO meta (key, value) VALUES ('resourceVersion', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    this.protectFiles();
    this.write = this.db.transaction((events: readonly StoreEvent[]) => {
      // Only an object's last version in the batch is written: the ones before it would be overwritten in the same transaction.
      const last = new Map<string, StoreEvent>();
      for (const e of events) last.set(`${e.typeKey}\0${e.object.metadata.namespace ?? ''}\0${e.object.metadata.name}`, e);
      let removed = false;
      for (const e of last.values()) {
        const namespace = e.object.metadata.namespace ?? '';
        if (e.type === 'DELETED') {
          this.remove.run(e.typeKey, namespace, e.object.metadata.name);
          removed = true;
        } else {
          const json = storedJson(e.object);
          this.upsert.run(e.typeKey, namespace, e.object.metadata.name, e.rv, e.typeKey === SECRETS ? this.envelope.encrypt(json) : json);
        }
      }
      // A row carries its own rv; only a removal, which leaves no row, records the counter apart.
      if (removed) this.setRv.run(String(events[events.length - 1].rv));
    });
  }

  /** store.db and its WAL files are readable by the owner only. */
  private protectFiles(): void {
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(this.file + suffix)) chmodSync(this.file + suffix, 0o600);
  }

  /**
   * Every stored object and the last committed resourceVersion. Secrets
   * stored in plain text (by a runtime before encryption) or under an older
   * key are written again under the current one, and the file is compacted
   * so no plain copy remains in it.
   */
  load(): { rows: StoredRow[]; rv: number } {
    const rows = this.db.prepare('SELECT type, namespace, name, data FROM objects').all() as Array<{ type: string; namespace: string; name: string; data: string }>;
    const stale = rows.filter((r) => r.type === SECRETS && this.envelope.isStale(r.data));
    for (const r of rows) if (r.type === SECRETS) r.data = this.envelope.decrypt(r.data);
    if (stale.length > 0) {
      const rewrite = this.db.prepare('UPDATE objects SET data = ? WHERE type = ? AND namespace = ? AND name = ?');
      this.db.transaction(() => {
        for (const r of stale) rewrite.run(this.envelope.encrypt(r.data), r.type, r.namespace, r.name);
      })();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.exec('VACUUM');
    }
    this.envelope.forgetOldKeys();
    this.protectFiles();
    const meta = this.db.prepare("SELECT value FROM meta WHERE key = 'resourceVersion'").get() as { value: string } | undefined;
    const newest = this.db.prepare('SELECT max(rv) AS rv FROM objects').get() as { rv: number | null };
    return {
      rows: rows.map((r) => {
        const object = JSON.parse(r.data) as KubeObject;
        rememberJson(object, r.data);
        return { typeKey: r.type, object };
      }),
      rv: Math.max(meta ? Number(meta.value) : 0, newest.rv ?? 0),
    };
  }

  commit(events: readonly StoreEvent[]): void {
    if (events.length > 0) this.write(events);
  }

  close(): void {
    this.db.close();
  }
}
