import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot as root, runBaton } from '../support/baton-cli.js';

const baton = (args: string[], cwd = root) => runBaton(args, { cwd });

let tmp: string;
async function write(files: Record<string, string>): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(tmp, p)), { recursive: true });
    await writeFile(join(tmp, p), c);
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'baton-render-cli-'));
  await write({
    'chart/Chart.yaml': 'name: demo\nversion: 0.1.0\n',
    'chart/values.yaml': 'greeting: hello\n',
    'chart/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{Release.Name}}\ndata:\n  greeting: {{quote Values.greeting}}\n',
    'prod.yaml': 'greeting: bonjour\n',
    'broken/Chart.yaml': 'name: broken\nversion: 0.1.0\n',
    'broken/templates/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{Values.name}}\n',
    'broken/templates/b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: {{toyaml Values}}\n',
    'manifests/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
    'manifests/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    'manifests/notes.txt': 'not yaml',
  });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('baton render', () => {
  it('renders a chart like helm template, values layered with -f and --set', async () => {
    const r = await baton(['render', 'chart', '-f', 'prod.yaml', '--set', 'extra=1', '--name', 'greeter', '--namespace', 'web'], tmp);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '---\n# Source: chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeter\n  namespace: web\ndata:\n  greeting: bonjour\n',
    );
  });

  it('prints every error as file:line:col: message on stderr and exits 1', async () => {
    const r = await baton(['render', 'broken'], tmp);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'broken/templates/a.yaml:4:11: Values.name is not defined (set it in values, or use {{default VALUE Values.name}} / {{#if Values.name}})',
      'broken/templates/b.yaml:6:8: unknown helper "toyaml"; did you mean "toYaml"? (see renderer/README.md for the helpers)',
    ]);
  });

  it('renders plain manifests, leaving out files that are not manifests', async () => {
    const ok = await baton(['render', 'manifests', '-o', 'json'], tmp);
    expect(ok.code).toBe(0);
    const list = JSON.parse(ok.stdout);
    expect(list.kind).toBe('List');
    expect(list.items.map((o: { kind: string }) => o.kind)).toEqual(['Namespace', 'ConfigMap']);
  });

  it('names a missing values file and a bad --set', async () => {
    const r = await baton(['render', 'chart', '-f', 'nope.yaml'], tmp);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('nope.yaml:1:1: values file not found');
    const s = await baton(['render', 'chart', '--set', 'a.b'], tmp);
    expect(s.code).toBe(1);
    expect(s.stderr.trim()).toBe('--set:1:1: --set a.b: key "a.b" has no value (expected key=value)');
    const noRepo = await baton(['render', 'charts/web-service', '-f', 'examples-repo/services/catalog/values.yaml'], root);
    expect(noRepo.code).toBe(1);
    expect(noRepo.stderr.trim().split('\n')).toHaveLength(1);
    expect(noRepo.stderr).toMatch(/^charts\/web-service\/templates\/_configData.hbs:\d+:\d+: Files.get: "services\/[^"]+" not found in the chart\n$/);
  });

  it('renders the bundled web-service chart with the example repository, byte-identically', async () => {
    const plain = await baton(['render', 'charts/web-service', '-f', 'examples-repo/environments/prod/catalog.yaml']);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    const args = ['render', 'charts/web-service', '--repo', 'examples-repo', '-f', 'examples-repo/services/shop.yaml', '-f', 'examples-repo/services/catalog/values.yaml', '-f', 'examples-repo/environments/prod/catalog.yaml', '--name', 'catalog', '--namespace', 'shop'];
    const [a, b] = await Promise.all([baton(args), baton(args)]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const docs = parseAllDocuments(a.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toContain('Deployment');
    expect(a.stdout).toMatch(/^---\n# Source: web-service\/templates\/\S+\.yaml\n/);
    for (const d of docs) expect(d.metadata.namespace).toBe('shop');
  });

  it('--chart NAME renders a bundled chart with values files relative to DIR', async () => {
    const r = await baton(['render', '--chart', 'web-service', 'examples-repo', '-f', 'services/shop.yaml', '-f', 'services/catalog/values.yaml', '--name', 'catalog']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kind: Deployment');
    const missing = await baton(['render', '--chart', 'no-such-chart']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no bundled chart "no-such-chart"/);
  });
});
