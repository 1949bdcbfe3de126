import { describe, expect, it, vi } from 'vitest';
import { MemoryTree, renderApp, renderChart, renderManifests, type RenderResult } from '../../../renderer/index.js';

// Inputs the fuzzers in test/fuzz found breaking the renderer; each must end in located RenderErrors.

const release = { name: 'web', namespace: 'shop', revision: 1 };

function chart(template: string): MemoryTree {
  return new MemoryTree({
    'Chart.yaml': 'name: web\nversion: 0.1.0\n',
    'values.yaml': 'map: {k: v}\n',
    'templates/t.yaml': template,
  });
}

const formatted = (r: RenderResult) => r.errors.map((e) => `${e.code} ${e.format()}`);

describe('hostile renderer input', () => {
  it('refuses blocks nested thousands deep with a located error instead of overflowing the stack', async () => {
    const depth = 12_000;
    const template = `${'{{#with Values.map}}'.repeat(depth)}x${'{{/with}}'.repeat(depth)}\n`;
    const r = await renderChart({ chart: { tree: chart(template), path: '' }, release, compileCache: false });
    expect(r.objects).toEqual([]);
    expect(formatted(r)).toEqual([expect.stringMatching(/^TEMPLATE_SYNTAX templates\/t\.yaml:1:\d+: template syntax: blocks and \(sub expressions\) nested more than 100 deep$/)]);
  });

  it('refuses sub expressions nested thousands deep the same way', async () => {
    const depth = 12_000;
    const template = `a: {{toString ${'(list '.repeat(depth)}1${')'.repeat(depth)}}}\n`;
    const r = await renderChart({ chart: { tree: chart(template), path: '' }, release, compileCache: false });
    expect(r.errors.map((e) => e.code)).toEqual(['TEMPLATE_SYNTAX']);
    expect(r.errors[0].message).toMatch(/nested more than 100 deep/);
  });

  it('still renders nesting a real chart uses', async () => {
    const template = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{trim ${'(trim '.repeat(20)}"web"${')'.repeat(20)}}}\ndata:\n  k: ${'{{#with @root.Values.map}}'.repeat(20)}{{k}}${'{{/with}}'.repeat(20)}\n`;
    const r = await renderChart({ chart: { tree: chart(template), path: '' }, release, compileCache: false });
    expect(formatted(r)).toEqual([]);
    expect(r.objects[0].object.data).toEqual({ k: 'v' });
  });

  it('names where an empty values file path was given, not an empty file name', async () => {
    const repo = new MemoryTree({ 'app/Chart.yaml': 'name: web\nversion: 0.1.0\n', 'app/templates/t.yaml': '' });
    const r = await renderApp({ repo, path: 'app', valuesFiles: ['', '  '], valuesName: 'baton.yaml', release });
    expect(r.errors.map((e) => e.format())).toEqual(['baton.yaml:1:1: a values file path is empty']);
  });

  it('refuses a list or map used as a map key, at its line, without printing a process warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const tree = new MemoryTree({
        'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  ? [x, y]\n  : z\n',
        'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  labels: &l {k: v}\ndata:\n  *l : z\n',
      });
      const r = await renderManifests({ tree, path: '', namespace: 'shop' });
      expect(formatted(r)).toEqual([
        'YAML_SYNTAX a.yaml:6:5: YAML: a map key must be a scalar (a string or number), not a list or map',
        'YAML_SYNTAX b.yaml:7:3: YAML: a map key must be a scalar (a string or number), not a list or map',
      ]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('reads YAML 1.1 tags (!!binary, !!set, !!omap, !!timestamp) as plain values, as Kubernetes does, in values and manifests', async () => {
    const repo = new MemoryTree({
      'app/Chart.yaml': 'name: web\nversion: 0.1.0\n',
      'app/templates/t.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  v: {{quote (toJson Values)}}\n',
      'env.yaml': 'bin: !!binary AAAA\nset: !!omap [x: 1]\nwhen: !!timestamp 2001-12-14\n',
    });
    const r = await renderApp({ repo, path: 'app', valuesFiles: ['env.yaml'], release });
    expect(formatted(r)).toEqual([]);
    expect(JSON.parse(String((r.objects[0].object.data as Record<string, unknown>).v))).toEqual({ bin: 'AAAA', set: [{ x: 1 }], when: '2001-12-14' });

    const tree = new MemoryTree({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: !!binary AAAA\n  t: !!timestamp 2001-12-14\n' });
    const m = await renderManifests({ tree, path: '', namespace: 'shop' });
    expect(formatted(m)).toEqual([]);
    expect(m.objects.map((o) => o.object.data)).toEqual([{ k: 'AAAA', t: '2001-12-14' }]);
  });

  it('a required with an empty message still says what is wrong', async () => {
    const template = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  k: {{required Values.empty Values.empty}}\n';
    const tree = new MemoryTree({ 'Chart.yaml': 'name: web\nversion: 0.1.0\n', 'values.yaml': 'empty: ""\n', 'templates/t.yaml': template });
    const r = await renderChart({ chart: { tree, path: '' }, release, compileCache: false });
    expect(formatted(r)).toEqual(['REQUIRED_VALUE templates/t.yaml:6:6: a required value is missing (required was given no message)']);
  });

  it('refuses a file that is not UTF-8 at its line, instead of deploying U+FFFD', async () => {
    const latin1 = Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  city: M'), Buffer.from([0xfc]), Buffer.from('nchen\n')]);
    const cases: [string, () => Promise<RenderResult>][] = [
      ['a manifest', () => renderManifests({ tree: new MemoryTree({ 'app/cm.yaml': latin1 }), path: 'app', namespace: 'shop' })],
      ['a values file', () => renderApp({ repo: new MemoryTree({ 'app/Chart.yaml': 'name: web\nversion: 0.1.0\n', 'app/templates/t.yaml': '', 'env/prod.yaml': Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]) }), path: 'app', valuesFiles: ['env/prod.yaml'], valuesName: 'baton.yaml', release })],
      ['a template', () => renderChart({ chart: { tree: new MemoryTree({ 'Chart.yaml': 'name: web\nversion: 0.1.0\n', 'templates/t.yaml': latin1 }), path: '' }, release, compileCache: false })],
    ];
    const found = [];
    for (const [, render] of cases) {
      const r = await render();
      expect(r.objects).toEqual([]);
      found.push(...formatted(r));
    }
    expect(found).toEqual([
      'INVALID_UTF8 app/cm.yaml:5:10: not valid UTF-8 (byte 0xfc); baton reads manifests, values and templates as UTF-8: save the file as UTF-8',
      'INVALID_UTF8 env/prod.yaml:1:4: not valid UTF-8 (byte 0xff); baton reads manifests, values and templates as UTF-8: save the file as UTF-8',
      'INVALID_UTF8 templates/t.yaml:5:10: not valid UTF-8 (byte 0xfc); baton reads manifests, values and templates as UTF-8: save the file as UTF-8',
    ]);
  });

  it('still reads UTF-8 past the ASCII range, a byte-order mark included', async () => {
    const tree = new MemoryTree({ 'app/cm.yaml': Buffer.from('\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  city: München 🏔\n') });
    const r = await renderManifests({ tree, path: 'app', namespace: 'shop' });
    expect(formatted(r)).toEqual([]);
    expect(r.objects[0].object.data).toEqual({ city: 'München 🏔' });
  });

  it('stops loops nested over a small list (billions of iterations) at the inner loop, instead of spinning the controller', async () => {
    const list = `l: [${Array.from({ length: 300 }, (_, i) => i).join(', ')}]\n`;
    const loops = `${'{{#each @root.Values.l}}'.repeat(3)}${'{{/each}}'.repeat(3)}`;
    const tree = new MemoryTree({ 'Chart.yaml': 'name: web\nversion: 0.1.0\n', 'values.yaml': list, 'templates/t.yaml': `k: "${loops}"\n` });
    const r = await renderChart({ chart: { tree, path: '' }, release, compileCache: false });
    expect(formatted(r)).toEqual(['TOO_LARGE templates/t.yaml:1:53: the templates ran more than 2,000,000 loop iterations, partial and helper calls (a loop or include nested over itself?)']);
  });

  it("refuses a loop's output once it passes the output limit, at the loop, before it grows further", async () => {
    const list = `l: [${Array.from({ length: 100 }, (_, i) => i).join(', ')}]\n`;
    const loops = `{{#each Values.l}}{{#each @root.Values.l}}{{#each @root.Values.l}}${'x'.repeat(30)}{{/each}}{{/each}}{{/each}}`;
    const tree = new MemoryTree({ 'Chart.yaml': 'name: web\nversion: 0.1.0\n', 'values.yaml': list, 'templates/t.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  k: "${loops}"\n` });
    const r = await renderChart({ chart: { tree, path: '' }, release, compileCache: false, limits: { maxOutputBytes: 1024 * 1024 } });
    expect(formatted(r)).toEqual(['TOO_LARGE templates/t.yaml:5:7: this block\'s output passes the 1.0 MiB output limit']);
  });

  it('stops a partial that includes itself twice per level (2^N calls) within the budget, naming the template', async () => {
    const depth = 24;
    const tree = new MemoryTree({
      'Chart.yaml': 'name: web\nversion: 0.1.0\n',
      'values.yaml': `nest: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`,
      'templates/_r.hbs': '{{#each this}}{{include "r" this}}{{include "r" this}}{{/each}}',
      'templates/t.yaml': 'k: "{{include "r" Values.nest}}"\n',
    });
    const r = await renderChart({ chart: { tree, path: '' }, release, compileCache: false, limits: { maxTemplateSteps: 100_000 } });
    expect(r.errors.map((e) => `${e.code} ${e.data.file}`)).toEqual(['TOO_LARGE templates/_r.hbs']);
    expect(r.errors[0].message).toMatch(/more than 100,000 loop iterations, partial and helper calls/);
  });

  it('counts what Files.get returns in a loop against the render, so a large file read over and over is refused', async () => {
    const list = `l: [${Array.from({ length: 40 }, (_, i) => i).join(', ')}]\n`;
    const tree = new MemoryTree({
      'Chart.yaml': 'name: web\nversion: 0.1.0\n',
      'values.yaml': list,
      'big.txt': 'x'.repeat(512 * 1024),
      'templates/t.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  k: "{{#each Values.l}}{{#if (@root.Files.get "big.txt")}}{{/if}}{{/each}}"\n',
    });
    const r = await renderChart({ chart: { tree, path: '' }, release, compileCache: false, limits: { maxOutputBytes: 1024 * 1024 } });
    expect(formatted(r)).toEqual(['TOO_LARGE templates/t.yaml:5:31: the templates produced more than 16.0 MiB of text while rendering (loops or includes nested over large output?)']);
  });

  it('refuses to serialize a value that names the same list millions of times, before building the text', async () => {
    // Six {{#with}} blocks, each a list of ten references to the one before: 10^6 copies of a 1,000-item list.
    let open = '';
    let close = '';
    let prev = '@root.Values.l';
    for (let k = 0; k < 6; k++) {
      open += `{{#with (list ${Array(10).fill(prev).join(' ')}) as |v${k}|}}`;
      close += '{{/with}}';
      prev = `v${k}`;
    }
    const list = `l: [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]\n`;
    for (const helper of ['toJson', 'toString', 'quote']) {
      const tree = new MemoryTree({ 'Chart.yaml': 'name: web\nversion: 0.1.0\n', 'values.yaml': list, 'templates/t.yaml': `k: "${open}{{#if (${helper} ${prev})}}x{{/if}}${close}"\n` });
      const r = await renderChart({ chart: { tree, path: '' }, release, compileCache: false });
      expect(r.errors.map((e) => `${e.code} ${e.message}`)).toEqual([`TOO_LARGE ${helper}: the value would make more than 16.0 MiB of JSON`]);
    }
  });

  it('refuses an indent or printf width past the output limit before allocating its padding', async () => {
    const r = await renderChart({ chart: { tree: chart('a: "{{indent 1000000000 "x"}}"\nb: "{{printf "%0900000000d" 1}}"\n'), path: '' }, release, compileCache: false });
    expect(formatted(r)).toEqual(['TOO_LARGE templates/t.yaml:1:5: indent: indenting by 1000000000 would make more than 16.0 MiB of text']);
    const p = await renderChart({ chart: { tree: chart('b: "{{printf "%0900000000d" 1}}"\n'), path: '' }, release, compileCache: false });
    expect(formatted(p)).toEqual(['TOO_LARGE templates/t.yaml:1:5: printf: a width of 900000000 would make more than 16.0 MiB of text']);
  });

  it('refuses a YAML file of millions of tokens before parsing it into gigabytes, and still reads a large real-sized one', async () => {
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nx: [${Array(1_100_000).fill('0').join(',')}]\n`;
    const r = await renderManifests({ tree: new MemoryTree({ 'big.yaml': bomb }), path: '', namespace: 'shop' });
    expect(r.objects).toEqual([]);
    expect(formatted(r)).toEqual([expect.stringMatching(/^TOO_LARGE big\.yaml:1:1: YAML: more than 2,000,000 tokens; parsing it would take gigabytes/)]);
    // 1.3 MB of block YAML, a CRD's schema's shape: counted, and read.
    let props = '';
    for (let i = 0; i < 12_000; i++) props += `    field${i}:\n      description: the field number ${i} of the schema\n      type: string\n`;
    const crd = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: schema}\ndata:\n  note: ok\nschema:\n  properties:\n${props}`;
    expect(crd.length).toBeGreaterThan(1024 * 1024);
    const ok = await renderManifests({ tree: new MemoryTree({ 'crd.yaml': crd }), path: '', namespace: 'shop' });
    expect(formatted(ok)).toEqual([]);
    expect(ok.objects).toHaveLength(1);
  });
});
