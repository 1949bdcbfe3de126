import { describe, expect, it } from 'vitest';
import { CompileCache, formatObjects, MemoryTree, renderApp, renderChart, renderManifests } from '../../../renderer/index.js';

const release = { name: 'web', namespace: 'shop', revision: 3 };

const chartFiles = {
  'charts/web/Chart.yaml': 'name: web\nversion: 1.2.0\ndescription: a web service\n',
  'charts/web/values.yaml': 'replicas: 1\nimage:\n  repository: nginx\n  tag: latest\nport: 8080\nenv: {}\n',
  'charts/web/values.schema.json': JSON.stringify(
    {
      type: 'object',
      required: ['image'],
      properties: {
        replicas: { type: 'integer', minimum: 0 },
        image: { type: 'object', required: ['repository'], properties: { repository: { type: 'string' }, tag: { type: 'string' } } },
        port: { type: 'integer' },
        tier: { enum: ['web', 'worker'] },
      },
    },
    null,
    2,
  ),
  'charts/web/templates/NOTES.txt': 'ignored {{',
  'charts/web/templates/_labels.hbs': 'app: {{Release.Name}}\nchart: {{Chart.Name}}-{{Chart.Version}}\n',
  'charts/web/templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{Release.Name}}
spec:
  selector:{{nindent 4 (include "labels" this)}}
  ports:
    - port: 80
      targetPort: {{Values.port}}
`,
  'charts/web/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{Release.Name}}
  annotations:
    revision: {{quote Release.Revision}}
    checksum/config: {{sha256 (Files.get "config/app.json")}}
spec:
  replicas: {{Values.replicas}}
  selector:
    matchLabels:{{nindent 6 (include "labels" this)}}
  template:
    metadata:
      labels:{{nindent 8 (include "labels" this)}}
    spec:
      containers:
        - name: web
          image: "{{Values.image.repository}}:{{Values.image.tag}}"
          ports:
            - containerPort: {{Values.port}}
          env:
{{#each Values.env}}
            - name: {{@key}}
              value: {{quote this}}
{{/each}}
`,
  'charts/web/config/app.json': '{"debug": false}\n',
  'envs/prod.yaml': 'replicas: 3\nimage:\n  tag: v2\nenv:\n  LOG: info\n',
  'envs/bad.yaml': 'replicas: many\n',
};

describe('renderChart', () => {
  it('renders templates with layered values into sorted, digested objects', async () => {
    const tree = new MemoryTree(chartFiles);
    const r = await renderApp({ repo: tree, chart: { tree, path: 'charts/web' }, valuesFiles: ['envs/prod.yaml'], values: { env: { MODE: 'x' } }, set: ['image.tag=v3'], release });
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => `${o.object.kind}/${o.object.metadata.namespace}/${o.object.metadata.name}`)).toEqual(['Service/shop/web', 'Deployment/shop/web']);
    const dep = r.objects[1];
    expect(dep.source).toEqual({ file: 'charts/web/templates/deployment.yaml', line: 1 });
    expect(dep.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(dep.object.spec.replicas).toBe(3);
    expect(dep.object.spec.template.spec.containers[0].image).toBe('nginx:v3');
    expect(dep.object.spec.template.spec.containers[0].env).toEqual([
      { name: 'LOG', value: 'info' },
      { name: 'MODE', value: 'x' },
    ]);
    expect(dep.object.metadata.annotations).toMatchObject({ revision: '3' });
  });

  it('gives byte-identical output for the same input, with or without the compile cache', async () => {
    const tree = new MemoryTree(chartFiles);
    const cache = new CompileCache();
    const outs: string[] = [];
    for (const compileCache of [false, cache, cache] as const) {
      const r = await renderChart({ chart: { tree, path: 'charts/web' }, release, compileCache });
      outs.push(formatObjects(r.objects));
    }
    expect(outs[1]).toBe(outs[0]);
    expect(outs[2]).toBe(outs[0]);
    expect(cache.hits).toBeGreaterThan(0);
    expect(outs[0]).toContain('---\n# Source: charts/web/templates/service.yaml\napiVersion: v1\nkind: Service\n');
  });

  it('enforces values.schema.json at the line that set the value', async () => {
    const tree = new MemoryTree(chartFiles);
    const r = await renderApp({ repo: tree, chart: { tree, path: 'charts/web' }, valuesFiles: ['envs/bad.yaml'], set: ['tier=db'], release });
    expect(r.objects).toEqual([]);
    expect(r.errors.map((e) => e.format())).toEqual([
      '--set:1:1: values.tier must be equal to one of the allowed values: "web", "worker" (charts/web/values.schema.json)',
      'envs/bad.yaml:1:11: values.replicas must be integer (charts/web/values.schema.json)',
    ]);
    expect(r.errors[1].code).toBe('SCHEMA_VIOLATION');
  });

  it('names the layer that removed a required value', async () => {
    const tree = new MemoryTree(chartFiles);
    const r = await renderChart({ chart: { tree, path: 'charts/web' }, release, set: ['image.repository=null'] });
    expect(r.errors.map((e) => e.format())).toEqual(['--set:1:1: values.image.repository is required (charts/web/values.schema.json)']);
  });

  it('collects errors from every template at once', async () => {
    const tree = new MemoryTree({
      'c/Chart.yaml': 'name: c\nversion: "1"\n',
      'c/templates/a.yaml': 'kind: {{Values.nope}}\n',
      'c/templates/b.yaml': 'x: [\n',
      'c/templates/c.yaml': '{{#if Values.x}}\n',
    });
    const r = await renderChart({ chart: { tree, path: 'c' }, release });
    expect(r.errors.map((e) => e.format())).toEqual([
      'c/templates/a.yaml:1:9: Values.nope is not defined (set it in values, or use {{default VALUE Values.nope}} / {{#if Values.nope}})',
      'c/templates/b.yaml:2:1: rendered YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'c/templates/c.yaml:1:1: template syntax: {{#if}} is never closed',
    ]);
  });

  it('reaches repository files through Files for an app, never beyond', async () => {
    const tree = new MemoryTree({
      ...chartFiles,
      'charts/web/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  server: {{quote (Files.get "apps/web/server.js")}}\n  n: "{{len}}"\n'.replace('{{len}}', '{{#each (Files.glob "apps/web/*.js")}}{{@key}};{{/each}}'),
      'apps/web/server.js': 'listen()',
    });
    const r = await renderApp({ repo: tree, chart: { tree, path: 'charts/web' }, release });
    expect(r.errors).toEqual([]);
    const cm = r.objects.find((o) => o.object.kind === 'ConfigMap')!;
    expect((cm.object as any).data).toEqual({ server: 'listen()', n: 'apps/web/server.js;' });

    const alone = await renderChart({ chart: { tree, path: 'charts/web' }, release });
    expect(alone.errors.map((e) => e.format())).toEqual(['charts/web/templates/cm.yaml:6:19: Files.get: "apps/web/server.js" not found in the chart']);

    const escape = new MemoryTree({ ...chartFiles, 'charts/web/templates/x.yaml': 'a: {{Files.get "../envs/prod.yaml"}}\n' });
    const e = await renderApp({ repo: escape, chart: { tree: escape, path: 'charts/web' }, release });
    expect(e.errors[0].format()).toMatch(/^charts\/web\/templates\/x.yaml:1:4: Files: path "..\/envs\/prod.yaml" contains "..", which is not allowed/);
  });

  it('renders an app whose path is a chart in the repository', async () => {
    const tree = new MemoryTree(chartFiles);
    const r = await renderApp({ repo: tree, path: 'charts/web', valuesFiles: ['envs/prod.yaml'], release });
    expect(r.errors).toEqual([]);
    expect(r.objects).toHaveLength(2);
    const missing = await renderApp({ repo: tree, path: 'charts/web', valuesFiles: ['envs/none.yaml'], release });
    expect(missing.errors.map((e) => e.format())).toEqual(['envs/none.yaml:1:1: values file "envs/none.yaml" not found in the repository']);
  });
});

describe('renderManifests', () => {
  const files = {
    'app/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
    'app/all.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api:1}]}
---
# only a comment
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
  - apiVersion: v1
    kind: Secret
    metadata: {name: a, namespace: other}
    stringData: {k: v}
`,
    'app/sub/svc.json': '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"}, "spec": {"ports": [{"port": 80}]}}',
    'app/sub/cr.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n',
    'app/README.md': '# docs',
    'app/.batonignore': '*.md\n',
  };

  it('reads every manifest recursively (directory.recurse), flattens Lists and sorts in apply order', async () => {
    const r = await renderManifests({ tree: new MemoryTree(files), path: 'app', namespace: 'shop', directory: { recurse: true } });
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => `${o.object.kind}/${o.object.metadata.namespace ?? ''}/${o.object.metadata.name} ${o.source.file}:${o.source.line}`)).toEqual([
      'Namespace//shop app/ns.yaml:1',
      'ConfigMap/shop/b app/all.yaml:15',
      'Secret/other/a app/all.yaml:18',
      'Service/shop/api app/sub/svc.json:1',
      'Deployment/shop/api app/all.yaml:1',
      'Widget/shop/w app/sub/cr.yaml:1',
    ]);
  });

  it('skips a non-manifest file and, by default (as Argo CD), subdirectories', async () => {
    const { 'app/.batonignore': _, ...rest } = files;
    const r = await renderManifests({ tree: new MemoryTree(rest), path: 'app', namespace: 'shop' });
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.source.file)).not.toContain('app/sub/cr.yaml');
    expect(r.objects).toHaveLength(4);
  });

  it('rejects duplicates, naming both places', async () => {
    const r = await renderManifests({
      tree: new MemoryTree({ 'a/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', 'a/y.yaml': '\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n' }),
      path: 'a',
      namespace: 'shop',
    });
    expect(r.errors.map((e) => e.format())).toEqual(['a/y.yaml:3:1: duplicate ConfigMap shop/c: already defined at a/x.yaml:1:1']);
  });
});
