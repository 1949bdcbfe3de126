import { cp, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskTree, renderApp, renderChart, renderManifests, type RenderResult } from '../../../renderer/index.js';

/**
 * test/fixtures/bad/<case>/: the input (a chart if it has Chart.yaml, else
 * plain manifests), `expected-error.txt` (each line a substring of one
 * reported `file:line:col: message`) and an optional `case.json`:
 *   values: [files], set: [exprs], inline: {values}, app: {chart, values},
 *   symlinks: {path: target}  (made here, not committed),
 *   generate: {inlineValue: {key, bytes}} | {file: {path, bytes}}  (made here: too big to commit).
 */
interface CaseSpec {
  values?: string[];
  set?: string[];
  inline?: Record<string, unknown>;
  mode?: 'chart';
  app?: { chart: string; values?: string[] };
  symlinks?: Record<string, string>;
  generate?: { inlineValue?: { key: string; bytes: number }; file?: { path: string; bytes: number } };
}

const corpus = join(import.meta.dirname, '../../fixtures/bad');
const release = { name: 'demo', namespace: 'bad' };
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

async function runCase(name: string): Promise<{ result: RenderResult; expected: string[] }> {
  const src = join(corpus, name);
  const dir = await mkdtemp(join(tmpdir(), `baton-bad-${name}-`));
  temps.push(dir);
  await cp(src, dir, { recursive: true, filter: (p) => !/(case\.json|expected-error\.txt)$/.test(p) });
  const spec: CaseSpec = existsSync(join(src, 'case.json')) ? JSON.parse(await readFile(join(src, 'case.json'), 'utf8')) : {};
  for (const [link, target] of Object.entries(spec.symlinks ?? {})) await symlink(target, join(dir, link));
  const values = { ...spec.inline };
  if (spec.generate?.inlineValue) values[spec.generate.inlineValue.key] = 'x'.repeat(spec.generate.inlineValue.bytes);
  if (spec.generate?.file) await writeFile(join(dir, spec.generate.file.path), `big: "${'x'.repeat(spec.generate.file.bytes)}"\n`);
  const tree = new DiskTree(dir);
  let result: RenderResult;
  if (spec.app) {
    result = await renderApp({ repo: tree, chart: { tree, path: spec.app.chart }, valuesFiles: spec.app.values, release });
  } else if (spec.mode === 'chart' || existsSync(join(dir, 'Chart.yaml'))) {
    const valuesFiles = await Promise.all((spec.values ?? []).map(async (f) => ({ file: f, content: await readFile(join(dir, f)) })));
    result = await renderChart({ chart: { tree, path: '' }, release, valuesFiles, set: spec.set, values: values, compileCache: false });
  } else {
    result = await renderManifests({ tree, path: '', namespace: 'bad' });
  }
  const expected = (await readFile(join(src, 'expected-error.txt'), 'utf8')).split('\n').filter((l) => l.trim() !== '');
  return { result, expected };
}

const cases = (await readdir(corpus, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('bad inputs corpus', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s fails with a located, precise error', async (name) => {
    const { result, expected } = await runCase(name);
    const got = result.errors.map((e) => e.format());
    if (process.env.BATON_PRINT_CORPUS) console.log(`${name}\n  ${got.join('\n  ')}`);
    expect(result.objects).toEqual([]);
    expect(got.length).toBeGreaterThan(0);
    for (const e of result.errors) expect(e.format()).toMatch(/^[^:\s][^:]*:\d+:\d+: \S/);
    for (const line of expected) expect(got.some((g) => g.includes(line)), `expected an error containing:\n  ${line}\ngot:\n  ${got.join('\n  ')}`).toBe(true);
  });
});
