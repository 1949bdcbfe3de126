import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { configMap, deployment, expectStatus, ownedBy } from './helpers.js';

const dirs: string[] = [];
const open: LocalCluster[] = [];
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-store-'));
  dirs.push(dir);
  return dir;
}
async function openAt(dir: string): Promise<LocalCluster> {
  const cluster = await openLocalCluster({ stateDir: dir, bookmarkIntervalMs: 0 });
  open.push(cluster);
  return cluster;
}
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps every object and resourceVersion across a reopen', async () => {
    const dir = await stateDir();
    const first = await openAt(dir);
    await first.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const cm = await first.create(resources.configmaps, configMap('a', { namespace: 'shop' }, { k: 'v' }));
    const svc = await first.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    await first.create(resources.configmaps, configMap('gone'));
    await first.delete(resources.configmaps, 'default', 'gone');
    const rv = first.currentResourceVersion();
    await first.close();

    const second = await openAt(dir);
    expect(second.currentResourceVersion()).toBe(rv);
    expect(await second.get(resources.configmaps, 'shop', 'a')).toEqual(cm);
    await expectStatus(second.get(resources.configmaps, 'default', 'gone'), 404);
    // The restored allocation is not handed out twice.
    const other = await second.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 't' }, spec: { ports: [{ port: 80 }] } });
    expect(other.spec.clusterIP).not.toBe(svc.spec.clusterIP);
    expect(Number(other.metadata.resourceVersion)).toBe(Number(rv) + 1);
    // Watches cannot resume from before the restart: that history is gone.
    await expectStatus(second.watch(resources.configmaps, { resourceVersion: String(Number(rv) - 1) }, () => {}), 410);
  });

  it('makes a new store with 16 KiB pages, and keeps the pages and objects of a store made with 4 KiB ones', async () => {
    const fresh = await stateDir();
    await (await openAt(fresh)).create(resources.configmaps, configMap('a', {}, { k: 'v' }));
    const older = await stateDir();
    const made = await openAt(older);
    await made.create(resources.configmaps, configMap('a', {}, { k: 'v' }));
    await made.close();
    // As a store made before 16 KiB pages: the same rows rewritten into a file of 4 KiB pages.
    const db = new Database(join(older, 'store.db'));
    db.pragma('journal_mode = DELETE');
    db.pragma('page_size = 4096');
    db.exec('VACUUM');
    db.pragma('journal_mode = WAL');
    db.close();
    const reopened = await openAt(older);
    expect(await reopened.get(resources.configmaps, 'default', 'a')).toMatchObject({ data: { k: 'v' } });
    await reopened.create(resources.configmaps, configMap('b', {}, { k: 'w' }));
    for (const c of open.splice(0)) await c.close();
    const pageSize = (dir: string) => {
      const file = new Database(join(dir, 'store.db'), { readonly: true });
      try {
        return file.pragma('page_size', { simple: true });
      } finally {
        file.close();
      }
    };
    expect(pageSize(fresh)).toBe(16384);
    expect(pageSize(older)).toBe(4096);
    expect(await (await openAt(older)).get(resources.configmaps, 'default', 'b')).toMatchObject({ data: { k: 'w' } });
  });

  it('refuses a second opener of the same state dir', async () => {
    const dir = await stateDir();
    await openAt(dir);
    await expect(openLocalCluster({ stateDir: dir })).rejects.toThrow(/is in use by another baton runtime/);
  });

  it('collects, after a restart, dependents whose owner went away', async () => {
    const dir = await stateDir();
    const first = await openAt(dir);
    const owner = await first.create(resources.deployments, deployment('d'));
    await first.create(resources.configmaps, configMap('dep', ownedBy(owner)));
    await first.close();
    // Simulate the owner vanishing while the dependents' collection had not happened yet.
    const db = new Database(join(dir, 'store.db'));
    db.prepare('DELETE FROM objects WHERE name = ?').run('d');
    db.close();
    const second = await openAt(dir);
    await second.idle();
    await expectStatus(second.get(resources.configmaps, 'default', 'dep'), 404);
  });

  it('finishes, after a restart, a foreground deletion whose dependents are already gone', async () => {
    const dir = await stateDir();
    const first = await openAt(dir);
    await first.create(resources.deployments, deployment('d', 1, { finalizers: ['foregroundDeletion'] }));
    await first.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } });
    await first.create(resources.configmaps, configMap('in-going', { namespace: 'going' }));
    // Stop the collectors from acting before the "crash": close right after marking.
    await first.delete(resources.deployments, 'default', 'd');
    await first.delete(resources.namespaces, undefined, 'going');
    await first.close();
    const second = await openAt(dir);
    await second.idle();
    await expectStatus(second.get(resources.deployments, 'default', 'd'), 404);
    await expectStatus(second.get(resources.configmaps, 'going', 'in-going'), 404);
    await expectStatus(second.get(resources.namespaces, undefined, 'going'), 404);
  });

  it('loses no acknowledged write when the writer is SIGKILLed mid-burst', async () => {
    const dir = await stateDir();
    const script = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged = new Map<string, string>();
    try {
      await new Promise<void>((resolve, reject) => {
        let buffer = '';
        child.on('error', reject);
        child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited early: ${code ?? signal}`))));
        child.stdout!.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const line of lines) {
            const [name, rv] = line.split(' ');
            if (rv) acknowledged.set(name, rv);
          }
          if (acknowledged.size >= 300 && !child.killed) child.kill('SIGKILL');
        });
      });
    } finally {
      if (child.exitCode === null && !child.killed) child.kill('SIGKILL');
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(300);

    const db = new Database(join(dir, 'store.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const reopened = await openAt(dir);
    for (const [name, rv] of acknowledged) {
      const object = await reopened.get(resources.configmaps, 'default', name);
      expect(object.metadata.resourceVersion).toBe(rv);
    }
    expect(Number(reopened.currentResourceVersion())).toBeGreaterThanOrEqual(Math.max(...[...acknowledged.values()].map(Number)));
  });
});
