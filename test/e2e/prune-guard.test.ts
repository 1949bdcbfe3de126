import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';
import { startLocalBaton, type LocalBaton } from './support/local-baton.js';

// Issue 15 point 7: a commit that replaces every manifest of an app must not prune all its objects
// and report Succeeded. (A commit that deletes every manifest is already a render error: an app
// must render at least one object.) `baton up` from a local repository: v1 has ConfigMaps a and b;
// v2 has only c, so its sync would delete every live object of the app and is refused.

const configMap = (name: string) => `${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } })}\n`;

let local: LocalBaton;

beforeAll(async () => {
  local = await startLocalBaton({ prefix: 'baton-prune-guard-', files: { 'baton.yaml': 'apps:\n  - name: conf\n    path: apps/conf\n', 'apps/conf/a.yaml': configMap('a'), 'apps/conf/b.yaml': configMap('b') } });
}, 240_000);

afterAll(async () => {
  await local?.stop();
}, 120_000);

describe('the prune guard', () => {
  it('refuses a commit that would delete every live object of the app, and the objects stay', { timeout: 300_000 }, async () => {
    const { repo, state } = local;
    const v1 = await git(repo, 'rev-parse', 'HEAD');
    await local.waitApp('conf', 'Healthy at v1', (s) => s.revision === v1 && s.health === 'Healthy');

    await git(repo, 'rm', '-q', 'apps/conf/a.yaml', 'apps/conf/b.yaml');
    const v2 = await local.commit({ 'apps/conf/c.yaml': configMap('c') }, 'conf v2: only c');

    const entry = await waitFor('the sync of v2 to end', async () => (await state.getHistory('conf')).find((h) => h.revision === v2), { timeoutMs: 120_000, intervalMs: 250, describe: () => local.describe() });
    expect(entry.result).toBe('Failed');
    expect(entry.message).toMatch(/refused: it would delete 2 of the app's 2 live objects \(ConfigMap\/a, ConfigMap\/b\)/);
    expect(entry.message).toContain('baton sync conf --prune');
    expect(entry.pruned).toBeUndefined();
    const names = JSON.parse(await local.kubectl('get', 'configmaps', '-n', 'conf', '-o', 'json')) as { items: { metadata: { name: string } }[] };
    expect(names.items.map((c) => c.metadata.name).filter((n) => ['a', 'b', 'c'].includes(n)).sort()).toEqual(['a', 'b']);
    expect(await state.getApp('conf')).toMatchObject({ revision: v1, syncStatus: 'OutOfSync', lastFailedRevision: v2 });
  });
});
