import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';
import { startLocalBaton, type LocalBaton } from './support/local-baton.js';

// Issue 15 points 5 and 6 through `baton up` from a local repository:
// - conf's v2 adds a good ConfigMap and a Widget the cluster does not serve: the preflight's
//   dry-run refuses the Widget, so nothing of v2 is applied (no half-applied app) and the
//   message names the object, its file and line, and what the cluster said.
// - first and second both render ConfigMap team/shared: second fails with "is owned by app
//   first" and writes nothing; when second stops rendering it (v2), its prune leaves first's
//   object alone.

const configMap = (name: string, data: Record<string, string>) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${v}\n`).join('')}`;

let local: LocalBaton;

async function liveConfigMap(namespace: string, name: string): Promise<{ metadata: { labels?: Record<string, string> }; data: Record<string, string> } | undefined> {
  const out = JSON.parse(await local.kubectl('get', 'configmaps', '-n', namespace, '-o', 'json')) as { items: { metadata: { name: string; labels?: Record<string, string> }; data: Record<string, string> }[] };
  return out.items.find((c) => c.metadata.name === name);
}

beforeAll(async () => {
  local = await startLocalBaton({
    prefix: 'baton-preflight-',
    files: {
      'baton.yaml': 'apps:\n  - name: conf\n    path: apps/conf\n  - name: first\n    path: apps/first\n    namespace: team\n  - name: second\n    path: apps/second\n    namespace: team\n    dependsOn: [first]\n',
      'apps/conf/a.yaml': configMap('a', { v: '"1"' }),
      'apps/first/shared.yaml': configMap('shared', { owner: 'first' }),
      'apps/first/own.yaml': configMap('first-own', { owner: 'first' }),
      'apps/second/shared.yaml': configMap('shared', { owner: 'second' }),
      'apps/second/own.yaml': configMap('second-own', { owner: 'second' }),
    },
  });
}, 240_000);

afterAll(async () => {
  await local?.stop();
}, 120_000);

describe('preflight: dry-run and ownership before the first write', () => {
  it('applies nothing of a commit the cluster refuses part of, and one app never writes or prunes what another owns', { timeout: 300_000 }, async () => {
    const { repo, state } = local;
    const tail = () => local.describe();
    const v1 = await git(repo, 'rev-parse', 'HEAD');
    await waitFor('conf and first Healthy at v1, second refused', async () => {
      const [conf, first] = [await state.getApp('conf'), await state.getApp('first')];
      const second = (await state.getHistory('second')).find((h) => h.revision === v1);
      return conf?.revision === v1 && conf.health === 'Healthy' && first?.revision === v1 && first.health === 'Healthy' && second;
    }, { timeoutMs: 180_000, intervalMs: 250, describe: tail });

    const refused = (await state.getHistory('second')).find((h) => h.revision === v1)!;
    expect(refused.result).toBe('Failed');
    expect(refused.message).toContain('ConfigMap team/shared is owned by app first (apps/second/shared.yaml:1)');
    expect(refused.message).toContain('nothing was applied');
    expect(await state.getApp('second')).toMatchObject({ health: 'Degraded', lastFailedRevision: v1 });
    // Nothing of second was written: not its own ConfigMap, and not over first's.
    expect(await liveConfigMap('team', 'second-own')).toBeUndefined();
    const shared = await liveConfigMap('team', 'shared');
    expect(shared?.data).toEqual({ owner: 'first' });
    expect(shared?.metadata.labels?.['baton.dev/app']).toBe('first');

    // v2: conf gains a good ConfigMap and a Widget nothing serves; second stops rendering shared.
    await writeFile(join(repo, 'apps/conf/more.yaml'), `${configMap('good', { v: '"2"' })}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\n`);
    await git(repo, 'rm', '-q', 'apps/second/shared.yaml');
    await git(repo, 'add', '.');
    await git(repo, 'commit', '-qm', 'v2');
    const v2 = await git(repo, 'rev-parse', 'HEAD');

    const confEntry = await waitFor('the sync of conf at v2 to end', async () => (await state.getHistory('conf')).find((h) => h.revision === v2), { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    expect(confEntry.result).toBe('Failed');
    expect(confEntry.message).toMatch(/refused before anything was written; nothing was applied:\nWidget conf\/gadget is refused: the cluster does not serve example\.com\/v1 Widget \(apps\/conf\/more\.yaml:8\)/);
    expect(await liveConfigMap('conf', 'good')).toBeUndefined();
    expect(await liveConfigMap('conf', 'a')).toBeDefined();
    expect(await state.getApp('conf')).toMatchObject({ revision: v1, health: 'Degraded', lastFailedRevision: v2 });

    await waitFor('second Healthy at v2', async () => {
      const second = await state.getApp('second');
      return second?.revision === v2 && second.health === 'Healthy';
    }, { timeoutMs: 120_000, intervalMs: 250, describe: tail });
    expect((await liveConfigMap('team', 'second-own'))?.data).toEqual({ owner: 'second' });
    // second's prune looked only at its own objects: first's ConfigMap is untouched.
    const after = await liveConfigMap('team', 'shared');
    expect(after?.data).toEqual({ owner: 'first' });
    expect(after?.metadata.labels?.['baton.dev/app']).toBe('first');
  });
});
