import { RenderError } from '../errors/render-error.js';
import { ignoreMatcher } from '../tree/ignore-file.js';
import type { TreeReader } from '../tree/load-dir.js';
import { basenameOf, joinTreePath } from '../tree/tree-path.js';
import { detectHelmChart } from './detect-helm-chart.js';
import type { TemplateSource } from '../template/template-session.js';
import { parseValuesFile, type ValuesLayer } from '../values/load-values.js';
import { decodeUtf8 } from '../tree/decode-utf8.js';
import { parseDocuments } from '../yaml/parse-documents.js';

/** Chart.yaml's fields templates see as `Chart`. */
export interface ChartMeta {
  name: string;
  version: string;
  description?: string;
  appVersion?: string;
}

export interface LoadedChart {
  /** Tree path of the chart directory. */
  path: string;
  meta: ChartMeta;
  /** The chart's values.yaml, if any. */
  values?: ValuesLayer;
  schema?: { file: string; text: string };
  /** templates/**\/*.yaml|yml, sorted by path. */
  templates: TemplateSource[];
  /** templates/**\/_NAME.hbs by NAME. */
  partials: Map<string, TemplateSource>;
  /** Every chart file by chart-relative path (for Files). */
  files: Map<string, Buffer>;
}

/** Reads and checks a chart directory: Chart.yaml, values.yaml, values.schema.json, templates. */
export async function loadChart(reader: TreeReader, path: string, errors: RenderError[]): Promise<LoadedChart | undefined> {
  const rel = (p: string) => p.slice(path === '' ? 0 : path.length + 1);
  const ignoreText = (await reader.readFile(joinTreePath(path, '.batonignore')).catch(() => undefined)) ?? (await reader.readFile(joinTreePath(path, '.helmignore')).catch(() => undefined));
  const all = await reader.loadDir(path, errors, ignoreMatcher(ignoreText?.toString('utf8')));
  const files = new Map<string, Buffer>();
  for (const [k, v] of all) files.set(rel(k), v);

  const chartFile = joinTreePath(path, 'Chart.yaml');
  const chartText = files.get('Chart.yaml');
  if (!chartText) {
    errors.push(RenderError.at('BAD_CHART', chartFile, 1, 1, 'Chart.yaml not found'));
    return undefined;
  }
  const before = errors.length;
  const chartSource = decodeUtf8(chartText, chartFile, errors);
  if (chartSource === undefined) return undefined;
  const doc = parseDocuments(chartSource, chartFile, errors)[0];
  if (errors.length > before) return undefined;
  const helm = detectHelmChart(path, files, doc);
  if (helm) {
    errors.push(helm);
    return undefined;
  }
  const m = (doc?.value ?? {}) as Record<string, unknown>;
  for (const field of ['name', 'version'] as const) {
    if (typeof m[field] !== 'string' || m[field] === '') {
      const p = doc?.locate([field]) ?? { line: 1, col: 1 };
      const hint = typeof m[field] === 'number' ? ' (quote it, e.g. "1.0.0")' : '';
      errors.push(RenderError.at('BAD_CHART', chartFile, p.line, p.col, `Chart.yaml: ${field} is required and must be a string${hint}`));
    }
  }
  if (errors.length > before) return undefined;
  const meta: ChartMeta = { name: String(m.name), version: String(m.version) };
  if (m.description !== undefined) meta.description = String(m.description);
  if (m.appVersion !== undefined) meta.appVersion = String(m.appVersion);

  const chart: LoadedChart = { path, meta, templates: [], partials: new Map(), files };
  const valuesText = files.get('values.yaml');
  if (valuesText) chart.values = parseValuesFile({ file: joinTreePath(path, 'values.yaml'), content: valuesText }, errors);
  const schemaText = files.get('values.schema.json');
  const schemaSource = schemaText && decodeUtf8(schemaText, joinTreePath(path, 'values.schema.json'), errors);
  if (schemaSource !== undefined) chart.schema = { file: joinTreePath(path, 'values.schema.json'), text: schemaSource };

  for (const name of [...files.keys()].sort()) {
    if (!name.startsWith('templates/')) continue;
    const file = joinTreePath(path, name);
    const base = basenameOf(name);
    if (base === 'NOTES.txt') continue;
    const source = decodeUtf8(files.get(name)!, file, errors);
    if (source === undefined) continue;
    if (base.startsWith('_') && base.endsWith('.hbs')) {
      const partial = base.slice(1, -'.hbs'.length);
      const other = chart.partials.get(partial);
      if (other) errors.push(RenderError.at('BAD_CHART', file, 1, 1, `partial "${partial}" is also defined by ${other.file}`));
      else chart.partials.set(partial, { file, source });
    } else if (/\.ya?ml$/.test(base) && !base.startsWith('_')) {
      chart.templates.push({ file, source });
    } else {
      errors.push(RenderError.at('BAD_CHART', file, 1, 1, 'not a template: templates/ holds *.yaml/*.yml templates, _NAME.hbs partials and NOTES.txt (list other files in .batonignore)'));
    }
  }
  if ([...files.keys()].some((k) => k.startsWith('charts/'))) {
    errors.push(RenderError.at('BAD_CHART', joinTreePath(path, 'charts'), 1, 1, 'subcharts (charts/) are not supported; render each chart as its own app'));
  }
  return chart;
}
