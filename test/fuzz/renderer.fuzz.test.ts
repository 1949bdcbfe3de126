import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompileCache, MemoryTree, RenderError, renderApp, renderChart, renderManifests, type RenderResult } from '../../renderer/index.js';
import { fuzzParameters, reportCases, withinBound } from './fuzz-settings.js';
import { configMapTemplate, deepTemplate, inlineValues, setExpression, templateText, valuesText, yamlText } from './renderer-arbitraries.js';

const codes = new Set([
  'YAML_SYNTAX', 'TEMPLATE_SYNTAX', 'TEMPLATE_RUNTIME', 'UNKNOWN_HELPER', 'MISSING_VALUE', 'REQUIRED_VALUE', 'FORBIDDEN_NAME', 'SCHEMA_VIOLATION',
  'BAD_SET', 'BAD_VALUES', 'BAD_CHART', 'INVALID_OBJECT', 'DUPLICATE_OBJECT', 'NOT_A_MANIFEST', 'NOT_FOUND', 'PATH_ESCAPE', 'TOO_LARGE',
  'NO_OBJECTS', 'KUSTOMIZE',
]);

const release = { name: 'fuzz', namespace: 'fuzz-ns', revision: 1 };
const baseValues = 'name: web\nreplicas: 2\nlist: [a, b, 1]\nmap: {k: v, n: 2}\nnested: {a: {b: c}}\nempty: ""\n';
const schema = JSON.stringify({ type: 'object', properties: { replicas: { type: 'integer', minimum: 0 }, name: { type: 'string', maxLength: 40 } } });
const perCase = 5_000;
const timeout = 600_000;

/** What the renderer promises for any input: typed, located errors, or valid objects; never both. */
function checkResult(result: RenderResult): void {
  expect(Array.isArray(result.objects) && Array.isArray(result.errors)).toBe(true);
  if (result.errors.length > 0) expect(result.objects).toEqual([]);
  for (const err of result.errors) {
    expect(err).toBeInstanceOf(RenderError);
    expect(codes.has(err.code), `unknown code ${err.code}`).toBe(true);
    expect(typeof err.data.file === 'string' && err.data.file.length > 0, `error without a file: ${err.message}`).toBe(true);
    expect(Number.isInteger(err.data.line) && err.data.line >= 1, `bad line in ${err.format()}`).toBe(true);
    expect(Number.isInteger(err.data.col) && err.data.col >= 1, `bad column in ${err.format()}`).toBe(true);
    expect(err.format()).toMatch(/^.+:\d+:\d+: /);
    expect(err.message.length).toBeGreaterThan(0);
  }
  for (const o of result.objects) {
    expect(typeof o.object.kind === 'string' && typeof o.object.metadata?.name === 'string').toBe(true);
    expect(o.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  }
}

/** Object.prototype and friends, to prove no input reached them. */
function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}

let before: string;
beforeAll(() => {
  before = prototypeSnapshot();
});
afterAll(() => {
  // Checked once more after every target ran, whatever order vitest used.
  expect(prototypeSnapshot()).toBe(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const manifestName = fc.constantFrom('a.yaml', 'b.yml', 'c.json', 'sub/d.yaml', 'sub/deep/e.yaml', 'notes.txt', '.hidden.yaml');

describe('renderer fuzz', () => {
  it('renderManifests: any YAML files give objects or located RenderErrors', { timeout }, async () => {
    let cases = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.dictionary(manifestName, yamlText, { minKeys: 1, maxKeys: 2 }), fc.option(fc.constantFrom('*.txt\n', 'sub/\n', '!x\n[', '\n')), async (files, ignore) => {
        cases++;
        const tree = new MemoryTree(files);
        if (ignore !== null) tree.set('.batonignore', ignore);
        const result = await withinBound('renderManifests', () => renderManifests({ tree, path: '', namespace: 'fuzz-ns' }), perCase);
        checkResult(result);
      }),
      fuzzParameters(),
    );
    reportCases('renderer/manifests', cases, started);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renderChart: any templates and partials give objects or located RenderErrors', { timeout }, async () => {
    let cases = 0;
    const started = Date.now();
    const template = fc.oneof({ weight: 4, arbitrary: templateText }, { weight: 4, arbitrary: configMapTemplate }, { weight: 1, arbitrary: deepTemplate });
    await fc.assert(
      fc.asyncProperty(template, fc.option(templateText), fc.boolean(), fc.boolean(), async (text, partial, cached, withSchema) => {
        cases++;
        const tree = new MemoryTree({
          'Chart.yaml': 'name: fuzz\nversion: 0.1.0\n',
          'values.yaml': baseValues,
          'templates/t.yaml': text,
          'files/a.json': '{"a": 1}\n',
        });
        if (partial !== null) tree.set('templates/_p.hbs', partial);
        if (withSchema) tree.set('values.schema.json', schema);
        const result = await withinBound(
          'renderChart',
          () => renderChart({ chart: { tree, path: '' }, release, compileCache: cached ? new CompileCache() : false }),
          perCase,
        );
        checkResult(result);
      }),
      fuzzParameters(),
    );
    reportCases('renderer/templates', cases, started);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('renderApp: any values files, inline values and --set give objects or located RenderErrors', { timeout }, async () => {
    let cases = 0;
    const started = Date.now();
    const valuesPath = fc.constantFrom('env/a.yaml', 'env/b.yaml', 'env/missing.yaml', '../escape.yaml', '/abs.yaml', 'env', '');
    await fc.assert(
      fc.asyncProperty(
        fc.array(valuesText, { maxLength: 2 }),
        fc.array(valuesPath, { maxLength: 3 }),
        fc.option(inlineValues),
        fc.array(setExpression, { maxLength: 4 }),
        fc.option(configMapTemplate),
        async (texts, paths, values, set, template) => {
          cases++;
          const repo = new MemoryTree({
            'app/Chart.yaml': 'name: fuzz\nversion: 0.1.0\n',
            'app/values.yaml': baseValues,
            'app/values.schema.json': schema,
            'app/templates/t.yaml': template ?? 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{Values.name}}\ndata:\n  v: {{toJson Values}}\n  r: {{quote Values.replicas}}\n',
          });
          texts.forEach((t, i) => repo.set(`env/${i === 0 ? 'a' : 'b'}.yaml`, t));
          const result = await withinBound(
            'renderApp',
            () => renderApp({ repo, path: 'app', valuesFiles: paths, values: values ?? undefined, set, release, compileCache: false }),
            perCase,
          );
          checkResult(result);
        },
      ),
      fuzzParameters(),
    );
    reportCases('renderer/values', cases, started);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
