import { describe, expect, it } from 'vitest';
import { MemoryTree, renderManifests, type RenderResult } from '../../../renderer/index.js';
import { jsonDocuments } from '../../../renderer/yaml/json-documents.js';
import { parseDocuments, type ParsedDocument } from '../../../renderer/yaml/parse-documents.js';

// Manifests written as JSON (jsonnet's output, `kubectl get -o json`) are read with JSON.parse
// (renderer/yaml/json-documents.ts); anything it cannot vouch for goes to the YAML parser.

const configMap = (name: string, data: Record<string, string> = { k: 'v' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

async function render(text: string): Promise<RenderResult> {
  return renderManifests({ tree: new MemoryTree({ 'app/objects.json': text }), path: 'app', namespace: 'shop' });
}

const seen = (r: RenderResult) => ({
  objects: r.objects.map((o) => ({ object: o.object, line: o.source.line })),
  errors: r.errors.map((e) => e.format()),
});

// Shapes a generator writes: pretty-printed, compact, several documents, content on the `---` line,
// CRLF line ends, a List, escapes and numbers JSON and YAML read alike.
const shapes: Record<string, string> = {
  pretty: JSON.stringify(configMap('a'), null, 2),
  compact: `${JSON.stringify(configMap('a'))}\n---\n${JSON.stringify(configMap('b'))}\n`,
  leadingMarker: `---\n${JSON.stringify(configMap('a'), null, 4)}\n---\n\n---\n  ${JSON.stringify(configMap('b'))}\n`,
  onMarkerLine: `--- ${JSON.stringify(configMap('a'))}\n---   ${JSON.stringify(configMap('b'))}\n`,
  crlf: `${JSON.stringify(configMap('a'), null, 2).replaceAll('\n', '\r\n')}\r\n---\r\n${JSON.stringify(configMap('b'))}\r\n`,
  list: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [configMap('a'), configMap('b')] }, null, 2),
  escapes: JSON.stringify(configMap('a', { emoji: '\u{1F600}', accents: 'é', slash: '/', controls: '\b\f\n\r\t', quote: '"{\\"x\\": 1}"', colon: 'a: b' })).replace('/', '\\/'),
  numbers: '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "annotations": {}}, "binaryData": {}, "data": {"n": "1"}, "x-extra": [1.0, -0, 1e-7, 12345678901234567890, 0.1, true, false, null, {}, []]}',
};

describe('manifests written as JSON', () => {
  it.each(Object.entries(shapes))('reads %s as the YAML parser does: the same objects at the same lines and columns', async (_, text) => {
    expect(jsonDocuments(text, new Set(['__proto__']))).toBeDefined();
    // A comment line makes the text YAML only: the YAML parser reads all of it.
    const yaml = `${text}${text.endsWith('\n') ? '' : '\n'}# read as YAML\n`;
    expect(jsonDocuments(yaml, new Set(['__proto__']))).toBeUndefined();
    const [fromJson, fromYaml] = [await render(text), await render(yaml)];
    expect(fromJson.objects.length).toBeGreaterThan(0);
    expect(seen(fromJson)).toEqual(seen(fromYaml));
    const where = (docs: ParsedDocument[]) => docs.map((d) => ({ value: d.value, line: d.line, col: d.col, name: d.locate(['metadata', 'name']) }));
    expect(where(parseDocuments(text, 'f', []))).toEqual(where(parseDocuments(yaml, 'f', [])));
  });

  it('names the line of a duplicate key, which JSON.parse would have dropped silently', async () => {
    const text = `${JSON.stringify(configMap('a'))}\n---\n{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "b"},\n  "data": {"k": "1", "k": "2"}\n}\n`;
    expect(jsonDocuments(text, new Set(['__proto__']))).toBeUndefined();
    const r = await render(text);
    expect(r.errors.map((e) => e.code)).toEqual(['YAML_SYNTAX']);
    expect(r.errors[0].format()).toMatch(/^app\/objects\.json:7:\d+: YAML: Map keys must be unique/);
  });

  it('refuses __proto__ as a key at its line, which JSON.parse would have kept as a plain key', async () => {
    const text = `{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "a"},\n  "data": {"__proto__": "x"}\n}\n`;
    const r = await render(text);
    expect(r.errors.map((e) => `${e.code} ${e.data.line}`)).toEqual(['FORBIDDEN_NAME 5']);
    expect(r.objects).toEqual([]);
  });

  it("points an object's own error at the field's line inside a JSON document", async () => {
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Name' }, data: { k: 'v' } };
    const text = `${JSON.stringify(configMap('a'))}\n---\n${JSON.stringify(bad, null, 2)}\n`;
    const r = await render(text);
    expect(r.errors).toHaveLength(1);
    // Line 3 opens the second document; `"name": "Not_A_Name"` is line 7 of the file.
    expect(r.errors[0].data.line).toBe(7);
    expect(r.errors[0].message).toMatch(/Not_A_Name/);
    expect(seen(r)).toEqual(seen(await render(`${text}# read as YAML\n`)));
  });

  it('leaves nesting deeper than the stack to the YAML parser instead of crashing', async () => {
    const depth = 20_000;
    const text = `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "x": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const r = await render(text);
    expect(r.errors.length + r.objects.length).toBeGreaterThan(0);
  });
});
