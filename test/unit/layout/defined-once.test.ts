import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The Kubernetes vocabulary shared by controller, renderer and runtime has one
// home, runtime/kube/. A second copy drifts (two apply orders, two lists of
// cluster-scoped kinds did): this fails when one reappears anywhere else.
const root = join(import.meta.dirname, '../../..');
const home = 'runtime/kube/';

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const definitionOf = (name: string) => new RegExp(`(?:\\bfunction\\s*\\*?\\s*|\\b(?:const|let|var|class)\\s+)${name}\\b`);

/** Where each concept is defined (null: a shape its home does not take), and what a copy of it looks like elsewhere. */
const concepts: Array<{ concept: string; home: string | null; copy: RegExp; sample: string }> = [
  { concept: 'apply order', home: 'apply-order.ts', copy: definitionOf('applyRank'), sample: 'export function applyRank(kind: string) {' },
  { concept: 'canonical JSON', home: 'canonical-json.ts', copy: definitionOf('canonicalJson'), sample: 'const canonicalJson = (v: unknown) => JSON.stringify(v);' },
  { concept: 'short revision', home: 'revision.ts', copy: definitionOf('shortRevision'), sample: 'function shortRevision(r: string) {' },
  {
    concept: 'a commit id shortened by hand',
    home: null,
    copy: /\[0-9a-f\]\{40[^\n]*\.slice\(0,\s*7\)/,
    sample: "const short = (r: string) => (/^[0-9a-f]{40}$/.test(r) ? r.slice(0, 7) : r);",
  },
  { concept: 'label selector matching', home: 'label-selector.ts', copy: definitionOf('selectorMatches'), sample: 'function selectorMatches(selector: any, labels: Record<string, string>) {' },
  {
    concept: 'DNS-1123 label pattern',
    home: 'dns-names.ts',
    copy: /\/\^\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\$\//,
    sample: 'const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;',
  },
  { concept: 'quantity parser', home: 'quantity.ts', copy: definitionOf('parseQuantity'), sample: 'export function parseQuantity(q: unknown) {' },
  { concept: 'quantity suffix table', home: 'quantity.ts', copy: /\bKi['"]?\s*:\s*(?:2\s*\*\*\s*10|1024)\b/, sample: 'const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20 };' },
  {
    concept: 'cluster-scoped kind list',
    home: 'cluster-scoped.ts',
    // A list literal or a kind-keyed table naming both Namespace and ClusterRole.
    copy: /\[[^[\]]*['"]Namespace['"][^[\]]*['"]ClusterRole['"][^[\]]*\]|\[[^[\]]*['"]ClusterRole['"][^[\]]*['"]Namespace['"][^[\]]*\]|\{[^{}]*\bNamespace['"]?\s*:[^{}]*\bClusterRole['"]?\s*:[^{}]*\}/,
    sample: "const SCOPED = new Set([\n  'Namespace',\n  'Node',\n  'ClusterRole',\n]);",
  },
];

function copiesOf(copy: RegExp, text: string): number[] {
  const lines: number[] = [];
  const global = new RegExp(copy.source, 'g');
  for (const m of text.matchAll(global)) lines.push(text.slice(0, m.index).split('\n').length);
  return lines;
}

describe('the Kubernetes vocabulary is defined once, in runtime/kube', () => {
  const files = ['controller', 'renderer', 'runtime'].flatMap(sources).map((f) => f.split(sep).join('/'));

  it('scans controller, renderer and runtime, the dashboard sources included', () => {
    expect(files).toContain('controller/edges/dashboard/web/format.ts');
    expect(files.some((f) => f.endsWith('.tsx'))).toBe(true);
  });

  it.each(concepts)('$concept: recognised in a copy', ({ copy, sample }) => {
    expect(copiesOf(copy, sample)).not.toEqual([]);
  });

  it.each(concepts)('$concept: only in runtime/kube', ({ copy, home: file }) => {
    const found = files.flatMap((f) => copiesOf(copy, readFileSync(join(root, f), 'utf8')).map((line) => `${f}:${line}`));
    expect(found.filter((at) => !at.startsWith(home)), `import it from ${home}${file ?? 'revision.ts'} instead`).toEqual([]);
    if (file) expect(found.some((at) => at.startsWith(`${home}${file}:`)), `${home}${file} no longer defines it: update this test`).toBe(true);
  });

  it('leaves runtime/kube standing on nothing but itself, node builtins and npm packages', () => {
    const outside = files
      .filter((f) => f.startsWith(home))
      .flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => ({ f, spec: m[1] })))
      .filter(({ f, spec }) => !relative(root, join(root, f, '..', spec)).split(sep).join('/').startsWith(home))
      .map(({ f, spec }) => `${f} imports ${spec}`);
    expect(outside).toEqual([]);
  });
});
