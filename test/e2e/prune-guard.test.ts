import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';
import { describeApps, kubectl, startBaton, stateOf, type BatonProcess } from './support/baton-process.js';

// Issue 15 point 7: a commit that replaces every manifest of an app must not prune all its objects
// and report Succeeded. (A commit that deletes every manifest is already a render error: an app
// must render at least one object.) `baton up` from a local repository: v1 has ConfigMaps a and b;
// v2 has only c, so its sync would delete every live object of the app and is refused.

const configMap = (name: string) => `${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } })}\n`;

let dir: string;
let repo: string;
let baton: BatonProcess;
let state: StateStore;
let kubeconfig: string;

const tail = async () => `${describeApps(await state.listApps())}\nbaton up:\n${baton.output().split('\n').slice(-30).join('\n')}`;

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-prune-guard-');
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'apps/conf'), { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await writeFile(join(repo, 'baton.yaml'), 'apps:\n  - name: conf\n    path: apps/conf\n');
  await writeFile(join(repo, 'apps/conf/a.yaml'), configMap('a'));
  await writeFile(join(repo, 'apps/conf/b.yaml'), configMap('b'));
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'conf v1');
  baton = startBaton(['up', '--repo', repo, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods']);
  kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/);
  state = stateOf(dir);
}, 240_000);

afterAll(async () => {
  await state?.close();
  await baton?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('the prune guard', () => {
  it('refuses a commit that would delete every live object of the app, and the objects stay', { timeout: 300_000 }, async () => {
    const v1 = await git(repo, 'rev-parse', 'HEAD');
    await waitFor('conf Healthy at v1', async () => {
      const s = await state.getApp('conf');
      return s?.revision === v1 && s.health === 'Healthy';
    }, { timeoutMs: 180_000, intervalMs: 250, describe: tail });

    await writeFile(join(repo, 'apps/conf/c.yaml'), configMap('c'));
    await git(repo, 'rm', '-q', 'apps/conf/a.yaml', 'apps/conf/b.yaml');
    await git(repo, 'add', '.');
    await git(repo, 'commit', '-qm', 'conf v2: only c');
    const v2 = await git(repo, 'rev-parse', 'HEAD');

    const entry = await waitFor('the sync of v2 to end', async () => (await state.getHistory('conf')).find((h) => h.revision === v2), { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    expect(entry.result).toBe('Failed');
    expect(entry.message).toMatch(/refused: it would delete 2 of the app's 2 live objects \(ConfigMap\/a, ConfigMap\/b\)/);
    expect(entry.message).toContain('baton sync conf --prune');
    expect(entry.pruned).toBeUndefined();
    const names = JSON.parse(await kubectl(kubeconfig, 'get', 'configmaps', '-n', 'conf', '-o', 'json')) as { items: { metadata: { name: string } }[] };
    expect(names.items.map((c) => c.metadata.name).filter((n) => ['a', 'b', 'c'].includes(n)).sort()).toEqual(['a', 'b']);
    expect(await state.getApp('conf')).toMatchObject({ revision: v1, syncStatus: 'OutOfSync', lastFailedRevision: v2 });
  });
});
