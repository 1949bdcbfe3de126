import { RenderError } from '../errors/render-error.js';
import type { ParsedDocument } from '../yaml/parse-documents.js';
import { joinTreePath } from '../tree/tree-path.js';

/**
 * Marks of Go templates (Helm) that baton's Handlebars charts never hold:
 * `{{-`/`-}}` trim markers (Handlebars trims with `~`), paths that start with
 * a dot (`{{ .Values.x }}`, `{{ include "x" . }}`), and Go's actions.
 */
const goTemplateMarks = [
  /\{\{-|-\}\}/,
  /\{\{(?:[^}]*[\s(])?\.(?:[A-Z]\w*|[\s)}])/,
  /\{\{\s*end\s*\}\}/,
  /\{\{\s*(?:define|template|range|block)\s/,
];

const fix =
  'baton renders its own Handlebars charts, not Helm charts: render this one with `helm template` into the repository ' +
  '(e.g. `helm template NAME CHART -f values.yaml > rendered/manifests.yaml`, committed, with the app\'s path on that directory), ' +
  'or write it as a baton chart (renderer/README.md: Charts)';

/**
 * One error when the chart is a Helm chart (Go templates in templates/*.yaml,
 * or `dependencies:` on other charts) instead of one error per template line.
 * `files` are chart-relative; `chartDoc` is the parsed Chart.yaml.
 */
export function detectHelmChart(path: string, files: Map<string, Buffer>, chartDoc: ParsedDocument | undefined): RenderError | undefined {
  const meta = (chartDoc?.value ?? {}) as Record<string, unknown>;
  if (Array.isArray(meta.dependencies) && meta.dependencies.length > 0) {
    const at = chartDoc!.locate(['dependencies']);
    const names = meta.dependencies.map((d) => (d as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string');
    return RenderError.at('BAD_CHART', joinTreePath(path, 'Chart.yaml'), at.line, at.col, `a Helm chart made of other charts (dependencies: ${names.join(', ') || '…'}; \`helm dependency build\` fetches them); ${fix}`);
  }
  for (const name of [...files.keys()].sort()) {
    if (!name.startsWith('templates/')) continue;
    if (!/\.ya?ml$/.test(name)) continue;
    const text = files.get(name)!.toString('utf8');
    const first = Math.min(...goTemplateMarks.map((mark) => mark.exec(text)?.index ?? Infinity));
    if (first === Infinity) continue;
    const before = text.slice(0, first);
    const line = before.split('\n').length;
    const col = first - before.lastIndexOf('\n');
    const snippet = text.slice(first).split('\n')[0].slice(0, 40).trim();
    return RenderError.at('BAD_CHART', joinTreePath(path, name), line, col, `a Helm chart (Go template syntax: ${JSON.stringify(snippet)}); ${fix}`);
  }
  return undefined;
}
