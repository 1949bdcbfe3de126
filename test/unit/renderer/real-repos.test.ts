import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskTree, MemoryTree, renderApp, type RenderAppInput, type RenderResult } from '../../../renderer/index.js';

// Shapes taken from public GitOps repositories (test/fixtures/real-repos): each renders as Argo CD
// would read it, or fails with one message that says what to do.
const fixtures = join(import.meta.dirname, '../../fixtures/real-repos');
const repo = new DiskTree(fixtures);

function render(path: string, extra: Partial<RenderAppInput> = {}): Promise<RenderResult> {
  return renderApp({ repo, path, release: { name: 'app', namespace: 'shop' }, valuesName: 'baton.yaml', ...extra });
}

const summary = (r: RenderResult) => r.objects.map((o) => `${o.object.kind}/${o.object.metadata.name} ${o.source.file}:${o.source.line}`);
const messages = (r: RenderResult) => r.errors.map((e) => e.format());

describe('a directory of plain manifests', () => {
  it('reads *.yaml, *.yml and *.json and leaves README.md, Makefile, scripts, pictures and subdirectories alone', async () => {
    const r = await render('directory-app');
    expect(messages(r)).toEqual([]);
    expect(summary(r)).toEqual([
      'ConfigMap/guestbook-config directory-app/config.json:1',
      'Service/guestbook directory-app/service.yml:1',
      'Deployment/guestbook directory-app/deployment.yaml:1',
    ]);
  });

  it('reads subdirectories with directory.recurse, where a YAML file that is not an object is an error at its line', async () => {
    const r = await render('directory-app', { directory: { recurse: true } });
    expect(messages(r)).toEqual(['directory-app/docs/notes.yaml:2:1: not a Kubernetes object (no apiVersion, kind or metadata); leave the file out with directory.exclude or .batonignore']);
  });

  it('keeps only what directory.include names and drops what directory.exclude names', async () => {
    const included = await render('directory-app', { directory: { recurse: true, include: '{*.yaml,*.json}', exclude: 'docs/*' } });
    expect(summary(included)).toEqual(['ConfigMap/guestbook-config directory-app/config.json:1', 'Deployment/guestbook directory-app/deployment.yaml:1']);
    const excluded = await render('directory-app', { directory: { exclude: 'service.*' } });
    expect(summary(excluded).map((s) => s.split(' ')[0])).toEqual(['ConfigMap/guestbook-config', 'Deployment/guestbook']);
  });

  it('reads a symlinked directory like any other when recursing', async () => {
    const tree = new MemoryTree({
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      'app/shared': { symlink: '../common' },
      'common/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'common/README.md': '# shared',
    });
    const r = await renderApp({ repo: tree, path: 'app', directory: { recurse: true }, release: { name: 'app', namespace: 'shop' } });
    expect(summary(r)).toEqual(['ConfigMap/a app/cm.yaml:1', 'ConfigMap/b app/shared/cm.yaml:1']);
  });
});

describe('Helm charts and apps that render nothing', () => {
  it('refuses a Go-template Helm chart with one message that says what to do', async () => {
    const r = await render('helm-chart');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].code).toBe('BAD_CHART');
    expect(r.errors[0].format()).toMatch(/^helm-chart\/templates\/deployment\.yaml:4:9: a Helm chart \(Go template syntax: "\{\{ include \\"podinfo\.name\\" \. \}\}"\); .*helm template/);
    const withoutHelpers = new MemoryTree({
      'c/Chart.yaml': 'apiVersion: v2\nname: podinfo\nversion: 6.5.0\n',
      'c/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
      'c/templates/service.yaml': 'metadata:\n  labels:\n    {{- include "labels" . | nindent 4 }}\n',
    });
    const only = await renderApp({ repo: withoutHelpers, path: 'c', release: { name: 'app', namespace: 'shop' } });
    expect(messages(only)).toEqual([
      expect.stringMatching(/^c\/templates\/deployment\.yaml:4:9: a Helm chart \(Go template syntax: "\{\{ \.Release\.Name \}\}"\); baton renders its own Handlebars charts/),
    ]);
  });

  it('tells Go templates from baton Handlebars charts, which keep rendering', async () => {
    for (const t of ['{{Values.name}}', '{{#each Values.x as |v k|}}{{k}}{{/each}}', '{{#if a}}x{{else if b}}y{{else}}z{{/if}}', '{{include "labels" this}}', '{{../name}}', '{{default "." Values.sep}}']) {
      const tree = new MemoryTree({
        'c/Chart.yaml': 'name: c\nversion: 0.1.0\n',
        'c/values.yaml': 'name: web\nx: {a: 1}\na: true\nb: false\nsep: "-"\n',
        'c/templates/_labels.hbs': 'app: web\n',
        'c/templates/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  t: ${JSON.stringify(t)}\n`,
      });
      const r = await renderApp({ repo: tree, path: 'c', release: { name: 'app', namespace: 'shop' } });
      expect(r.errors.filter((e) => e.message.includes('Helm')), t).toEqual([]);
    }
    const bundled = await renderApp({
      repo: new MemoryTree({ 'v.yaml': 'image: {repository: nginx, tag: "1"}\n' }),
      chart: { tree: new DiskTree(join(import.meta.dirname, '../../../charts')), path: 'web-service' },
      valuesFiles: ['v.yaml'],
      release: { name: 'web', namespace: 'shop' },
    });
    expect(messages(bundled)).toEqual([]);
    expect(bundled.objects.length).toBeGreaterThan(0);
  });

  it('refuses a chart that only lists dependencies, at its dependencies', async () => {
    const r = await render('umbrella-chart');
    expect(messages(r)).toEqual([expect.stringMatching(/^umbrella-chart\/Chart\.yaml:6:3: a Helm chart made of other charts \(dependencies: kube-prometheus-stack; `helm dependency build` fetches them\); .*helm template/)]);
  });

  it('makes a chart that renders nothing, and a path without manifests, an error', async () => {
    const tree = new MemoryTree({
      'c/Chart.yaml': 'name: c\nversion: 0.1.0\n',
      'c/values.yaml': 'enabled: false\n',
      'c/templates/cm.yaml': '{{#if Values.enabled}}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n{{/if}}\n',
      'docs/README.md': '# only docs',
      'nested/sub/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    });
    const release = { name: 'app', namespace: 'shop' };
    expect(messages(await renderApp({ repo: tree, path: 'c', release }))).toEqual(['c/Chart.yaml:1:1: the chart c rendered no objects; an app must render at least one object']);
    const docs = await renderApp({ repo: tree, path: 'docs', release });
    expect(docs.errors.map((e) => e.code)).toEqual(['NO_OBJECTS']);
    expect(messages(await renderApp({ repo: tree, path: 'nested', release }))).toEqual([
      'nested:1:1: no manifests (*.yaml, *.yml, *.json) in nested (subdirectories are read only with directory.recurse: true); an app must render at least one object',
    ]);
  });
});

describe('Kustomize apps (kubectl kustomize)', () => {
  const image = (r: RenderResult) => (r.objects.find((o) => o.object.kind === 'Deployment')!.object as any).spec.template.spec.containers[0];

  it('names the fix when kubectl is not on the PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const r = await render('kustomize/overlays/prod');
      expect(messages(r)).toEqual([expect.stringMatching(/^kustomize\/overlays\/prod\/kustomization\.yaml:1:1: Kustomize apps are built with `kubectl kustomize`, and kubectl is not on the PATH of baton: install kubectl/)]);
    } finally {
      process.env.PATH = path;
    }
  });

  it('builds an overlay over its base (patch, image, extra resource), attributing objects to the kustomization', async () => {
    const r = await render('kustomize/overlays/prod');
    expect(messages(r)).toEqual([]);
    expect(summary(r)).toEqual([
      'PodDisruptionBudget/podinfo kustomize/overlays/prod/kustomization.yaml:1',
      'ConfigMap/podinfo-config-f655md8fbd kustomize/overlays/prod/kustomization.yaml:1',
      'Service/podinfo kustomize/overlays/prod/kustomization.yaml:1',
      'Deployment/podinfo kustomize/overlays/prod/kustomization.yaml:1',
    ]);
    expect(r.objects.every((o) => o.object.metadata.namespace === 'shop')).toBe(true);
    expect(image(r).image).toBe('ghcr.io/stefanprodan/podinfo:6.5.1');
    expect((r.objects.find((o) => o.object.kind === 'Deployment')!.object as any).spec.replicas).toBe(3);
  });

  it('builds an overlay with a component and its own namespace', async () => {
    const r = await render('kustomize/overlays/staging');
    expect(messages(r)).toEqual([]);
    expect(r.objects.map((o) => o.object.metadata.namespace)).toEqual(['podinfo-staging', 'podinfo-staging', 'podinfo-staging']);
    expect(image(r).env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  });

  it("applies baton.yaml's kustomize: images, namePrefix, nameSuffix, commonLabels and patches, as Argo CD's source.kustomize", async () => {
    const r = await render('kustomize/overlays/prod', {
      kustomize: {
        images: ['ghcr.io/stefanprodan/podinfo=registry.example/podinfo:7.0.0'],
        namePrefix: 'eu-',
        nameSuffix: '-v2',
        commonLabels: { team: 'web' },
        patches: [
          { target: { kind: 'Deployment' }, patch: '- op: replace\n  path: /spec/replicas\n  value: 5' },
          { path: 'pdb.yaml', target: { kind: 'PodDisruptionBudget' } },
        ],
      },
    });
    expect(messages(r)).toEqual([]);
    const deploy = r.objects.find((o) => o.object.kind === 'Deployment')!.object as any;
    expect(deploy.metadata.name).toBe('eu-podinfo-v2');
    expect(deploy.metadata.labels.team).toBe('web');
    expect(deploy.spec.replicas).toBe(5);
    expect(image(r).image).toBe('registry.example/podinfo:7.0.0');
    expect(image(r).envFrom[0].configMapRef.name).toMatch(/^eu-podinfo-config-v2-/);
  });

  it('refuses remote bases before running kustomize, and names a missing base at its line', async () => {
    const tree = new MemoryTree({
      'k/kustomization.yaml': 'resources:\n  - github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.10.0\n  - https://example.com/app.yaml\n  - ../missing\n  - cm.yaml\n',
      'k/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    });
    const r = await renderApp({ repo: tree, path: 'k', release: { name: 'app', namespace: 'shop' } });
    expect(messages(r)).toEqual([
      'k/kustomization.yaml:2:5: resources[0]: "github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.10.0" is a remote base; baton builds Kustomize from the repository alone: vendor it into the repository and refer to it by a relative path',
      'k/kustomization.yaml:3:5: resources[1]: "https://example.com/app.yaml" is a remote base; baton builds Kustomize from the repository alone: vendor it into the repository and refer to it by a relative path',
      'k/kustomization.yaml:4:5: resources[2]: "../missing" not found in the repository',
    ]);
  });

  it('refuses URLs in the fields kustomize reads files from (patches, generators, configurations…), so a pull request cannot make baton fetch them', async () => {
    const fetched: string[] = [];
    const server = createServer((req, res) => {
      fetched.push(req.url ?? '');
      res.end('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {stolen: from-the-host}\n');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const tree = new MemoryTree({
        'k/kustomization.yaml': [
          'resources: [cm.yaml]',
          'patches:',
          `  - path: ${url}/patch.yaml`,
          `patchesStrategicMerge: [${url}/smp.yaml]`,
          'patchesJson6902:',
          `  - {path: ${url}/json6902.yaml, target: {kind: ConfigMap, name: a}}`,
          `configurations: [${url}/conf.yaml]`,
          `crds: [${url}/crd.json]`,
          `openapi: {path: ${url}/openapi.json}`,
          'configMapGenerator:',
          `  - {name: g, files: [k=${url}/file], envs: [${url}/envs]}`,
          'secretGenerator:',
          `  - {name: s, env: ${url}/env}`,
          `transformers: [${url}/transformer.yaml]`,
          'commonAnnotations: {docs: "https://example.com/ok-as-a-value"}',
          '',
        ].join('\n'),
        'k/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      });
      const r = await renderApp({ repo: tree, path: 'k', release: { name: 'app', namespace: 'shop' } });
      expect(fetched).toEqual([]);
      expect(r.objects).toEqual([]);
      expect(messages(r).map((m) => m.replace(/:\d+:\d+: .*?: /, ': '))).toEqual(
        [
          'patches[0].path',
          'patchesStrategicMerge[0]',
          'patchesJson6902[0].path',
          'configurations[0]',
          'crds[0]',
          'openapi.path',
          'configMapGenerator[0].files[0]',
          'configMapGenerator[0].envs[0]',
          'secretGenerator[0].env',
          'transformers[0]',
        ].map(() => expect.stringMatching(/^k\/kustomization\.yaml: ".*" is fetched from the network/)),
      );
      expect(messages(r)[0]).toMatch(/^k\/kustomization\.yaml:3:11: patches\[0\]\.path: "http:\/\/127\.0\.0\.1:\d+\/patch\.yaml" is fetched from the network/);
    } finally {
      server.close();
    }
  });

  it('refuses a symlink that leaves the repository, and quotes kustomize when it fails', async () => {
    const escaping = new MemoryTree({ 'k/kustomization.yml': 'resources: [cm.yaml]\n', 'k/cm.yaml': { symlink: '../../etc/passwd' } });
    const r = await renderApp({ repo: escaping, path: 'k', release: { name: 'app', namespace: 'shop' } });
    expect(r.errors.map((e) => e.code)).toEqual(['PATH_ESCAPE']);
    const broken = new MemoryTree({ 'k/Kustomization': 'resources: [cm.yaml]\npatches:\n  - path: nope.yaml\n', 'k/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' });
    const b = await renderApp({ repo: broken, path: 'k', release: { name: 'app', namespace: 'shop' } });
    expect(messages(b)).toEqual([expect.stringMatching(/^k\/Kustomization:1:1: kustomize build failed: .*nope\.yaml/)]);
    expect(messages(b)[0]).toContain("lstat k/nope.yaml: no such file or directory");
    expect(messages(b)[0]).not.toContain('baton-kustomize-');
  });

  it('refuses kustomize: on a plain directory and directory: on a Kustomize app, at baton.yaml', async () => {
    expect(messages(await render('directory-app', { kustomize: { namePrefix: 'x-' } }))).toEqual([
      'baton.yaml:1:1: kustomize: options are set, but directory-app is a directory of manifests, with no kustomization.yaml',
    ]);
    expect(messages(await render('kustomize/base', { directory: { recurse: true } }))).toEqual([
      'baton.yaml:1:1: directory: options are set, but kustomize/base is a Kustomize app; they apply to a directory of manifests',
    ]);
  });
});
