import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBaton, type LocalBaton } from '../e2e/support/local-baton.js';

// Namespaces `pr-<number>` belong to pull requests' previews. Through `baton up` from a local
// repository: app `web`'s manifests put a ConfigMap into pr-7 and create Namespace pr-7 itself, which
// would mix web's objects with request 7's preview (and let either prune the other's). The commit is
// refused like any bad manifest: nothing of web is applied, not even its good ConfigMap, and the
// status names each file and what is wrong; app `ok` beside it syncs as usual.

const configMap = (name: string, namespace?: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n  a: "1"\n`;

let local: LocalBaton;

beforeAll(async () => {
  local = await startLocalBaton({
    prefix: 'baton-reserved-ns-',
    files: {
      'baton.yaml': 'apps:\n  - name: web\n    path: apps/web\n    namespace: shop\n    allowClusterResources: true\n  - name: ok\n    path: apps/ok\n    namespace: shop\n',
      'apps/web/good.yaml': configMap('web-good'),
      'apps/web/sneaky.yaml': `${configMap('sneaky', 'pr-7')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: pr-7\n`,
      'apps/ok/cm.yaml': configMap('ok'),
    },
  });
}, 240_000);

afterAll(async () => {
  await local?.stop();
}, 120_000);

describe("an app's manifests naming a preview's namespace", () => {
  it('are refused at validation: nothing of the app is applied, and the message names the file', { timeout: 240_000 }, async () => {
    await local.waitApp('ok', 'Healthy', (s) => s.health === 'Healthy');
    const web = await local.waitApp('web', 'refused', (s) => s.health === 'Degraded');
    expect(web.message).toContain('does not render; nothing was applied');
    expect(web.message).toContain(
      [
        'apps/web/sneaky.yaml:1:1: ConfigMap sneaky: metadata.namespace: namespace "pr-7" is reserved for the preview of pull/merge request #7 (previews live in pr-<number>); an app may not deploy there',
        'apps/web/sneaky.yaml:9:1: Namespace pr-7: metadata.name: namespace "pr-7" is reserved for the preview of pull/merge request #7 (previews live in pr-<number>); an app may not create it',
      ].join('\n'),
    );
    const configMaps = JSON.parse(await local.kubectl('get', 'configmaps', '-n', 'shop', '-o', 'json')) as { items: { metadata: { name: string } }[] };
    expect(configMaps.items.map((c) => c.metadata.name)).toContain('ok');
    expect(configMaps.items.map((c) => c.metadata.name)).not.toContain('web-good');
    const namespaces = JSON.parse(await local.kubectl('get', 'namespaces', '-o', 'json')) as { items: { metadata: { name: string } }[] };
    expect(namespaces.items.map((n) => n.metadata.name)).not.toContain('pr-7');
  });
});
