import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleKubeClient } from '../../../../controller/clusters/bundle-kube-client.js';
import type * as KubeClient from '../../../../controller/clusters/kube-client.js';
import { repoRoot } from '../../../support/baton-cli.js';

// `npm run build` replaces dist/controller/clusters/kube-client.js with this bundle: what `baton up` runs.
describe('the bundled kube-client', () => {
  let dir: string;
  let file: string;
  let bundled: typeof KubeClient;
  let server: Server;
  const seen: Array<{ method?: string; url?: string; auth?: string }> = [];

  beforeAll(async () => {
    // Inside the repository, so that the bundle's imports of client-node's dependencies resolve.
    await mkdir(join(repoRoot, 'dist'), { recursive: true });
    dir = await mkdtemp(join(repoRoot, 'dist', '.kube-client-test-'));
    ({ file } = await bundleKubeClient({ file: join(dir, 'kube-client.js') }));
    bundled = (await import(file)) as typeof KubeClient;
    server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1') {
        res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get'] }] }));
      } else if (req.url === '/api/v1/namespaces/shop/configmaps/web') {
        res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2026-01-02T03:04:05Z' }, data: { a: 'b' } }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('imports nothing of client-node: its code is inlined, only its dependencies stay imports', async () => {
    const text = await readFile(file, 'utf8');
    // Static imports (several to a line, minified) and dynamic ones.
    const imported = [...text.matchAll(/(?:^|[;\n])\s*import\s*(?:[^;"'()]*?from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((spec) => spec.includes('@kubernetes/client-node'))).toEqual([]);
  });

  it('leaves out the generated API classes baton does not construct', async () => {
    const text = await readFile(file, 'utf8');
    // esbuild writes a class as `var Name=class …` (minified).
    const classes = new Set([...text.matchAll(/\bvar (\w+)\s*=\s*class\b/g)].map((m) => m[1]));
    for (const used of ['ObjectCoreV1Api', 'ObjectAppsV1Api', 'KubernetesObjectApi', 'KubeConfig', 'Watch', 'V1Pod']) expect(classes).toContain(used);
    for (const unused of ['ObjectBatchV1Api', 'ObservableBatchV1Api', 'BatchV1ApiRequestFactory', 'ObjectStorageV1Api', 'PromiseCoreV1Api', 'ListWatch']) expect(classes).not.toContain(unused);
  });

  it('reads an object through KubernetesObjectApi with the kubeconfig\'s token, as the package does', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kc = new bundled.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'secret-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const objects = bundled.KubernetesObjectApi.makeApiClient(kc);
    const live = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'shop' } });
    expect(live.metadata?.name).toBe('web');
    // Deserialized by client-node's model (ObjectSerializer), which makes dates Dates.
    expect(live.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/api/v1/namespaces/shop/configmaps/web', auth: 'Bearer secret-token' });
    await expect(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: 'shop' } })).rejects.toMatchObject({ code: 404 });
    const core = kc.makeApiClient(bundled.CoreV1Api);
    await expect(core.readNamespacedConfigMap({ name: 'gone', namespace: 'shop' })).rejects.toMatchObject({ code: 404 });
    expect(bundled.PatchStrategy.ServerSideApply).toBe('application/apply-patch+yaml');
  });

  it('is the only way baton\'s code takes values from client-node (types may come from the package)', async () => {
    const offenders: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'kube-client.ts') {
          const text = await readFile(path, 'utf8');
          for (const m of text.matchAll(/^import (?!type )[^;]*from '@kubernetes\/client-node[^']*';/gm)) offenders.push(`${relative(repoRoot, path)}: ${m[0]}`);
        }
      }
    };
    for (const top of ['controller', 'runtime', 'renderer']) await walk(join(repoRoot, top));
    expect(offenders).toEqual([]);
  });
});
