import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit, type Persistence } from '../../runtime/store/group-commit.js';
import { openLocalCluster } from '../../runtime/store/index.js';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import type { StoreEvent } from '../../runtime/store/watch-hub.js';
import { resources } from '../../runtime/resources/registry.js';
import type { WatchEvent } from '../../runtime/kube/object.js';
import { configMap } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-group-commit-'));
  dirs.push(dir);
  return dir;
}

function event(rv: number, type: StoreEvent['type'], name: string, data: Record<string, string> = {}): StoreEvent {
  const object = configMap(name, { resourceVersion: String(rv), uid: `uid-${name}` }, data);
  return { rv, typeKey: '/configmaps', type, object };
}

/** A persistence that records what each commit held, in the order things happened. */
function recorder(fail = false) {
  const log: string[] = [];
  const persistence: Persistence = {
    commit(events) {
      if (fail) throw new Error('disk full');
      log.push(`commit ${events.map((e) => e.rv).join(',')}`);
    },
    close() {
      log.push('close');
    },
  };
  return { log, persistence };
}

describe('group commit', () => {
  it('commits the writes of one turn in one batch, and publishes them only after it', async () => {
    const { log, persistence } = recorder();
    const commits = new GroupCommit(persistence, (e) => log.push(`publish ${e.rv}`));
    commits.stage(event(1, 'ADDED', 'a'));
    commits.stage(event(2, 'ADDED', 'b'));
    const first = commits.committed();
    commits.stage(event(3, 'MODIFIED', 'a'));
    expect(log).toEqual([]);
    await first;
    expect(log).toEqual(['commit 1,2,3', 'publish 1', 'publish 2', 'publish 3']);
    commits.stage(event(4, 'DELETED', 'b'));
    await commits.settled();
    commits.close();
    expect(log.slice(4)).toEqual(['commit 4', 'publish 4', 'close']);
  });

  it('refuses everything after a batch failed, and publishes none of it', async () => {
    const { log, persistence } = recorder(true);
    const commits = new GroupCommit(persistence, (e) => log.push(`publish ${e.rv}`));
    commits.stage(event(1, 'ADDED', 'a'));
    await expect(commits.committed()).rejects.toThrow(/could not commit 1 write\(s\).*disk full/);
    expect(commits.failed).toBeDefined();
    await expect(commits.settled()).rejects.toThrow(/restart the runtime/);
    expect(log).toEqual([]);
  });

  it('stores the last version of each object of a batch and the counter of a trailing removal', async () => {
    const dir = await stateDir();
    const store = new SqliteStore(dir);
    store.load();
    store.commit([event(1, 'ADDED', 'a', { v: '1' }), event(2, 'ADDED', 'b'), event(3, 'MODIFIED', 'a', { v: '3' }), event(4, 'ADDED', 'c'), event(5, 'DELETED', 'b')]);
    store.close();
    const reopened = new SqliteStore(dir);
    const { rows, rv } = reopened.load();
    reopened.close();
    expect(rv).toBe(5);
    expect(rows.map((r) => [r.object.metadata.name, r.object.metadata.resourceVersion, r.object.data]).sort()).toEqual([
      ['a', '3', { v: '3' }],
      ['c', '4', {}],
    ]);
  });

  it('lets a watcher see a write only once a writer could be told it is stored', async () => {
    const cluster = await openLocalCluster({ stateDir: await stateDir(), bookmarkIntervalMs: 0 });
    try {
      const seen: WatchEvent[] = [];
      const stop = await cluster.watch(resources.configmaps, { resourceVersion: cluster.currentResourceVersion() }, (e) => seen.push(e));
      const writes = [cluster.create(resources.configmaps, configMap('x')), cluster.create(resources.configmaps, configMap('y'))];
      expect(seen).toEqual([]);
      const [x, y] = await Promise.all(writes);
      expect(seen.map((e) => [e.type, (e.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion])).toEqual([
        ['ADDED', x.metadata.resourceVersion],
        ['ADDED', y.metadata.resourceVersion],
      ]);
      stop();
    } finally {
      await cluster.close();
    }
  });
});
