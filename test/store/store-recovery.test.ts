import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import { openLocalCluster } from '../../runtime/store/index.js';
import { runBaton as baton } from '../support/baton-cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-recovery-'));
  dirs.push(dir);
  return dir;
}

/** A state dir whose runtime store holds a ConfigMap and a Secret. */
async function populated(): Promise<string> {
  const state = tempDir();
  const cluster = await openLocalCluster({ stateDir: join(state, 'runtime') });
  await cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'blue' } });
  await cluster.create(resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
  await cluster.close();
  return state;
}

describe('a damaged runtime store', () => {
  it('stops the start with a sentence naming the file and the way back, when the store is corrupt', async () => {
    const state = await populated();
    writeFileSync(join(state, 'runtime', 'store.db'), Buffer.alloc(8192, 0x5a));
    await expect(openLocalCluster({ stateDir: join(state, 'runtime') })).rejects.toThrow(
      /the runtime's store .*store\.db is not a readable database .*baton runtime restore <backup-dir>/,
    );
  });

  it('never starts an empty cluster over a truncated store', async () => {
    const state = await populated();
    truncateSync(join(state, 'runtime', 'store.db'), 0);
    await expect(openLocalCluster({ stateDir: join(state, 'runtime') })).rejects.toThrow(/store\.db cannot be used: it is empty \(0 bytes\), but .*encryption-key shows this state dir held a cluster/);
    rmSync(join(state, 'runtime', 'store.db'));
    await expect(openLocalCluster({ stateDir: join(state, 'runtime') })).rejects.toThrow(/it is missing/);
  });

  it('is brought back by baton runtime backup and restore, Secrets included', async () => {
    const state = await populated();
    const backup = join(tempDir(), 'backup');
    const saved = await baton(['runtime', 'backup', backup, '--state-dir', state]);
    expect(saved.stderr).toBe('');
    expect(saved.stdout).toMatch(/objects and the encryption key in/);

    truncateSync(join(state, 'runtime', 'store.db'), 0);
    const restored = await baton(['runtime', 'restore', backup, '--state-dir', state]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/objects restored from .*the previous store is kept as .*before-restore-/);

    const cluster = await openLocalCluster({ stateDir: join(state, 'runtime') });
    try {
      expect((await cluster.get(resources.configmaps, 'default', 'settings')).data).toEqual({ mode: 'blue' });
      expect(Buffer.from(((await cluster.get(resources.secrets, 'default', 'db')).data as Record<string, string>).password, 'base64').toString()).toBe('s3cret');
    } finally {
      await cluster.close();
    }
  });

  it('refuses to back up while the runtime holds the store', async () => {
    const state = await populated();
    const cluster = await openLocalCluster({ stateDir: join(state, 'runtime') });
    try {
      const result = await baton(['runtime', 'backup', join(tempDir(), 'b'), '--state-dir', state]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/in use by a running baton runtime; stop it first/);
    } finally {
      await cluster.close();
    }
  });
});
