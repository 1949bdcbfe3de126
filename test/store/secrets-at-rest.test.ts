import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster } from '../../runtime/store/index.js';

const VALUE = 'hunter2-s3cr3t-value-6d1f';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-secrets-'));
  dirs.push(dir);
  return dir;
}

/** Every byte of the store's files (the database, its WAL and shared memory), as latin1 text to search. */
function storeBytes(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith('store.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');
}

/** The decoded password of a stored Secret. */
const passwordOf = (s: KubeObject) => Buffer.from((s.data as Record<string, string>).password, 'base64').toString();
const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from(VALUE).toString('base64') } });
const encodings = [VALUE, Buffer.from(VALUE).toString('base64')];

describe('Secrets at rest in the runtime store', () => {
  it('never writes a Secret value, plain or base64, to the store files, and reads it back after a restart', async () => {
    const dir = stateDir();
    let cluster = await openLocalCluster({ stateDir: dir });
    await cluster.create(resources.secrets, secret('db'));
    const updated = await cluster.get(resources.secrets, 'default', 'db');
    await cluster.update(resources.secrets, { ...updated, data: { ...(updated.data as Record<string, string>), other: Buffer.from(VALUE).toString('base64') } });
    for (const text of encodings) expect(storeBytes(dir)).not.toContain(text);
    await cluster.close();
    for (const text of encodings) expect(storeBytes(dir)).not.toContain(text);

    cluster = await openLocalCluster({ stateDir: dir });
    expect(passwordOf(await cluster.get(resources.secrets, 'default', 'db'))).toBe(VALUE);
    await cluster.close();
  });

  it('encrypts Secrets an older runtime stored in plain text when it starts, leaving no plain copy in the file', async () => {
    const dir = stateDir();
    let cluster = await openLocalCluster({ stateDir: dir });
    await cluster.create(resources.secrets, secret('legacy'));
    await cluster.close();
    // What a runtime before encryption left: the same row in plain JSON.
    const db = new Database(join(dir, 'store.db'));
    const row = db.prepare("SELECT data FROM objects WHERE type = '/secrets'").get() as { data: string };
    expect(row.data.startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
    const plain = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'legacy', namespace: 'default', uid: 'u1', resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' }, type: 'Opaque', data: { password: Buffer.from(VALUE).toString('base64') } });
    db.prepare("UPDATE objects SET data = ? WHERE type = '/secrets'").run(plain);
    db.close();
    expect(storeBytes(dir)).toContain(Buffer.from(VALUE).toString('base64'));

    cluster = await openLocalCluster({ stateDir: dir });
    expect(passwordOf(await cluster.get(resources.secrets, 'default', 'legacy'))).toBe(VALUE);
    await cluster.close();
    for (const text of encodings) expect(storeBytes(dir)).not.toContain(text);
  });

  it('rotates the key: every Secret is written under the new one and the old key is gone', async () => {
    const dir = stateDir();
    let cluster = await openLocalCluster({ stateDir: dir });
    await cluster.create(resources.secrets, secret('rotated'));
    await cluster.close();
    const before = JSON.parse(readFileSync(join(dir, 'encryption-key'), 'utf8')).keys;
    cluster = await openLocalCluster({ stateDir: dir, rotateEncryptionKey: true });
    expect(passwordOf(await cluster.get(resources.secrets, 'default', 'rotated'))).toBe(VALUE);
    await cluster.close();
    const after = JSON.parse(readFileSync(join(dir, 'encryption-key'), 'utf8')).keys;
    expect(after).toHaveLength(1);
    expect(after[0].name).not.toBe(before[0].name);
    const db = new Database(join(dir, 'store.db'), { readonly: true });
    expect((db.prepare("SELECT data FROM objects WHERE type = '/secrets'").get() as { data: string }).data.startsWith(`k8s:enc:aesgcm:v1:${after[0].name}:`)).toBe(true);
    db.close();
  });

  it('keeps the store, its key and the directory to the owner, even in a directory made 0755 beforehand', async () => {
    const dir = stateDir();
    chmodSync(dir, 0o755);
    const old = process.umask(0o022);
    try {
      const cluster = await openLocalCluster({ stateDir: dir });
      await cluster.create(resources.secrets, secret('modes'));
      await cluster.close();
    } finally {
      process.umask(old);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(dir)) expect([file, statSync(join(dir, file)).mode & 0o777]).toEqual([file, 0o600]);
    // The same check a user would make.
    expect(execFileSync('stat', ['-c', '%a', join(dir, 'encryption-key')], { encoding: 'utf8' }).trim()).toBe('600');
  });

  it('refuses to start with a damaged key file, naming it, instead of losing the Secrets', async () => {
    const dir = stateDir();
    const cluster = await openLocalCluster({ stateDir: dir });
    await cluster.close();
    chmodSync(join(dir, 'encryption-key'), 0o600);
    execFileSync('sh', ['-c', `echo garbage > ${join(dir, 'encryption-key')}`]);
    await expect(openLocalCluster({ stateDir: dir })).rejects.toThrow(/encryption-key is not an encryption key file of baton's/);
  });
});
