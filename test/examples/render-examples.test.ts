import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DiskTree, formatObjects, renderApp, type FileTree, type RenderResult, type Values } from '../../renderer/index.js';

// Renders every application of examples-repo/baton.yaml the way the controller does (renderApp
// over the repository tree, bundled charts from charts/), and checks what a user relies on: it
// renders, it runs (Deployment + Service wired together, code shipped), and it is deterministic.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repoDir = path.join(root, 'examples-repo');
const chartsDir = path.join(root, 'charts');

interface AppSpec {
  name: string;
  path?: string;
  chart?: string;
  namespace?: string;
  values?: string[];
  set?: Values;
  dependsOn?: string[];
  preview?: { enabled?: boolean; values?: Values };
}

const apps: AppSpec[] = parse(readFileSync(path.join(repoDir, 'baton.yaml'), 'utf8')).apps;

/** The repository with some files' contents replaced, as a later commit would have them. */
function editedRepo(edits: Record<string, string>): FileTree {
  const disk = new DiskTree(repoDir);
  return {
    read: async (p) => (p in edits ? Buffer.from(edits[p]) : disk.read(p)),
    list: (p) => disk.list(p),
    readLink: (p) => disk.readLink(p),
  };
}

function render(app: AppSpec, opts: { repo?: FileTree; valuesFiles?: string[]; extraValues?: Values; cache?: false } = {}): Promise<RenderResult> {
  return renderApp({
    repo: opts.repo ?? new DiskTree(repoDir),
    ...(app.chart ? { chart: { tree: new DiskTree(chartsDir), path: app.chart } } : { path: app.path }),
    valuesFiles: opts.valuesFiles ?? app.values ?? [],
    values: { ...app.set, ...opts.extraValues },
    valuesName: 'baton.yaml',
    release: { name: app.name, namespace: app.namespace ?? app.name },
    ...(opts.cache === false ? { compileCache: false } : {}),
  });
}

function ok(result: RenderResult): RenderResult {
  // Show the renderer's own file:line:col messages when something breaks.
  expect(result.errors.map((e) => e.format())).toEqual([]);
  return result;
}

const ofKind = (r: RenderResult, kind: string) => r.objects.filter((o) => o.object.kind === kind).map((o) => o.object as any);

describe('examples-repo/baton.yaml', () => {
  it('declares the 15 shop services, with unique names and dependsOn naming declared apps, without cycles', () => {
    const names = apps.map((a) => a.name);
    expect(names).toHaveLength(15);
    expect(new Set(names).size).toBe(15);
    const byName = new Map(apps.map((a) => [a.name, a]));
    for (const a of apps) for (const d of a.dependsOn ?? []) expect(names, `${a.name} dependsOn ${d}`).toContain(d);
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string, trail: string[]) => {
      if (done.has(n)) return;
      if (visiting.has(n)) throw new Error(`dependsOn cycle: ${[...trail, n].join(' → ')}`);
      visiting.add(n);
      for (const d of byName.get(n)!.dependsOn ?? []) visit(d, [...trail, n]);
      done.add(n);
    };
    for (const n of names) visit(n, []);
  });

  it('makes every service start after the services its code calls (their env vars exist only then)', async () => {
    for (const app of apps) {
      const routes = path.join(repoDir, 'services', app.name, 'routes.mjs');
      let upstreams: string[] = [];
      try {
        upstreams = (await import(pathToFileURL(routes).href)).upstreams ?? [];
      } catch {
        continue; // notifications has no routes module
      }
      for (const u of upstreams) expect(app.dependsOn ?? [], `${app.name} calls ${u}`).toContain(u);
    }
  });

  for (const app of apps) {
    describe(`app ${app.name}`, () => {
      it('renders without errors to a Deployment and a Service that selects its pods', async () => {
        const result = ok(await render(app));
        const [deploy] = ofKind(result, 'Deployment');
        const [svc] = ofKind(result, 'Service');
        expect(deploy, 'a Deployment').toBeDefined();
        expect(svc, 'a Service').toBeDefined();
        expect(svc.metadata.name).toBe(app.name);
        expect(deploy.metadata.namespace).toBe(app.namespace ?? app.name);

        const podLabels = deploy.spec.template.metadata.labels;
        expect(podLabels).toMatchObject(deploy.spec.selector.matchLabels);
        expect(podLabels).toMatchObject(svc.spec.selector);
        const container = deploy.spec.template.spec.containers[0];
        const target = svc.spec.ports[0].targetPort;
        expect(container.ports.map((p: any) => (typeof target === 'string' ? p.name : p.containerPort))).toContain(target);
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(container.command[0]).toBe('node');
      });

      it('ships its code in a ConfigMap mounted where the command expects it', async () => {
        const result = ok(await render(app));
        const [deploy] = ofKind(result, 'Deployment');
        const pod = deploy.spec.template.spec;
        const mount = pod.containers[0].volumeMounts.find((m: any) => pod.containers[0].command.some((c: string) => c.startsWith(`${m.mountPath}/`)));
        expect(mount, 'a volume mounted at the script directory').toBeDefined();
        const volume = pod.volumes.find((v: any) => v.name === mount.name);
        const cm = ofKind(result, 'ConfigMap').find((c) => c.metadata.name === volume.configMap.name);
        expect(cm, `ConfigMap ${volume.configMap.name}`).toBeDefined();
        for (const arg of pod.containers[0].command.slice(1)) {
          expect(Object.keys(cm.data), `${arg} is in the ConfigMap`).toContain(path.posix.basename(arg));
        }
        if (app.name !== 'notifications') {
          expect(cm.data['server.mjs']).toBe(readFileSync(path.join(repoDir, 'services/lib/server.mjs'), 'utf8'));
          expect(cm.data['routes.mjs']).toBe(readFileSync(path.join(repoDir, 'services', app.name, 'routes.mjs'), 'utf8'));
        }
      });

      it('renders byte-identical output twice, from the compile cache and without it', async () => {
        const first = formatObjects(ok(await render(app)).objects);
        const second = formatObjects(ok(await render(app, { cache: false })).objects);
        expect(second).toBe(first);
      });

      if (app.values?.some((f) => f.startsWith('environments/prod/'))) {
        it('renders with the staging values too', async () => {
          const staging = app.values!.map((f) => f.replace('environments/prod/', 'environments/staging/'));
          const result = ok(await render(app, { valuesFiles: staging }));
          const [deploy] = ofKind(result, 'Deployment');
          expect(deploy.spec.replicas).toBe(1);
        });
      }

      if (app.preview?.enabled) {
        it('renders as a preview with its preview values', async () => {
          const result = ok(await render(app, { extraValues: app.preview!.values }));
          expect(ofKind(result, 'Deployment')[0].spec.replicas).toBe(app.preview!.values?.replicas ?? expect.any(Number));
          // gateway's preview turns its Ingress off (no pr-N.shop.localhost); catalog's keeps it (baton rewrites the host).
          if (app.name === 'gateway') expect(ofKind(result, 'Ingress')).toEqual([]);
          if (app.name === 'catalog') expect(ofKind(result, 'Ingress').map((i) => i.spec.rules[0].host)).toEqual(['catalog.localhost']);
        });
      }
    });
  }
});

describe('a commit that edits code', () => {
  const checksum = async (name: string, repo?: FileTree) => {
    const app = apps.find((a) => a.name === name)!;
    const [deploy] = ofKind(ok(await render(app, { repo })), 'Deployment');
    return deploy.spec.template.metadata.annotations['checksum/config'] as string;
  };

  it("rolls only the edited service when its routes change, and every chart service when the shared server changes", async () => {
    const before = { catalog: await checksum('catalog'), pricing: await checksum('pricing') };
    expect(before.catalog).toMatch(/^[0-9a-f]{64}$/);

    const routes = readFileSync(path.join(repoDir, 'services/catalog/routes.mjs'), 'utf8');
    const oneService = editedRepo({ 'services/catalog/routes.mjs': `${routes}// a new line\n` });
    expect(await checksum('catalog', oneService)).not.toBe(before.catalog);
    expect(await checksum('pricing', oneService)).toBe(before.pricing);

    const server = readFileSync(path.join(repoDir, 'services/lib/server.mjs'), 'utf8');
    const shared = editedRepo({ 'services/lib/server.mjs': `${server}// a new line\n` });
    expect(await checksum('catalog', shared)).not.toBe(before.catalog);
    expect(await checksum('pricing', shared)).not.toBe(before.pricing);
  });
});

describe('examples-repo Kustomize', () => {
  it('builds the staging overlay of notifications over its base, in shop-staging', async () => {
    const result = ok(await render({ name: 'notifications-staging', path: 'environments/staging/notifications', namespace: 'shop-staging' }));
    const prod = ok(await render(apps.find((a) => a.name === 'notifications')!));
    expect(result.objects.map((o) => `${o.object.kind}/${o.object.metadata.namespace}/${o.object.metadata.name}`)).toEqual(
      prod.objects.map((o) => `${o.object.kind}/shop-staging/${o.object.metadata.name}`),
    );
    expect(result.objects.every((o) => o.object.metadata.labels?.environment === 'staging')).toBe(true);
    expect(result.objects.every((o) => o.source.file === 'environments/staging/notifications/kustomization.yaml')).toBe(true);
  });
});
