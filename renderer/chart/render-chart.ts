import { RenderError } from '../errors/render-error.js';
import { formatBytes, withDefaults, type RenderLimits } from '../limits.js';
import { collectObjects, type ObjectCandidate } from '../objects/collect-objects.js';
import { finalizeObjects } from '../objects/finalize-objects.js';
import { finish, type ReleaseInfo, type RenderResult } from '../render-result.js';
import { sharedCompileCache, type CompileCache } from '../template/compile-cache.js';
import { TemplateSession } from '../template/template-session.js';
import type { FileTree } from '../tree/file-tree.js';
import { TreeReader } from '../tree/load-dir.js';
import { checkValueKeys, parseValuesFile, type ValuesLayer, type ValuesSource } from '../values/load-values.js';
import { mergeValues } from '../values/merge-values.js';
import { parseSet } from '../values/parse-set.js';
import type { Values } from '../values/values.js';
import { validateValuesSchema } from '../values/validate-schema.js';
import { parseDocuments } from '../yaml/parse-documents.js';
import { filesObject, type FilesWanted } from './files-object.js';
import { loadChart, type LoadedChart } from './load-chart.js';

/** A chart directory inside a FileTree. */
export interface ChartRef {
  tree: FileTree;
  /** Tree path of the directory holding Chart.yaml ('' for the root). */
  path: string;
}

export interface RenderChartInput {
  chart: ChartRef;
  release: ReleaseInfo;
  /** Values files layered over the chart's values.yaml, lowest first. @defaultValue [] */
  valuesFiles?: ValuesSource[];
  /** Inline values, layered over the values files. @defaultValue {} */
  values?: Values;
  /** Name inline values are reported under. @defaultValue '<inline values>' */
  valuesName?: string;
  /** `--set` expressions, applied last. @defaultValue [] */
  set?: string[];
  /** The app's repository at the same commit: Files.get/glob fall back to it. @defaultValue none (chart files only) */
  repo?: FileTree;
  /** Where compiled templates are kept; `false` compiles every time. @defaultValue the process-wide cache */
  compileCache?: CompileCache | false;
  limits?: Partial<RenderLimits>;
  /** `Capabilities.KubeVersion.Version`. @defaultValue 'v1.32.0' */
  kubeVersion?: string;
}

/** Repository reads are retried at most this often; each pass loads what the last one asked for. */
const maxPasses = 4;

/** Renders a Handlebars chart into validated, sorted objects, collecting every error. */
export async function renderChart(input: RenderChartInput): Promise<RenderResult> {
  const limits = withDefaults(input.limits);
  const errors: RenderError[] = [];
  const reader = new TreeReader(input.chart.tree, input.chart.path, limits);
  let chart: LoadedChart | undefined;
  try {
    chart = await loadChart(reader, input.chart.path, errors);
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    errors.push(err);
  }
  if (!chart || errors.length > 0) return finish([], errors);

  const layers: ValuesLayer[] = [];
  if (chart.values) layers.push(chart.values);
  for (const src of input.valuesFiles ?? []) {
    if (src.content.length > limits.maxFileBytes) {
      errors.push(RenderError.at('TOO_LARGE', src.file, 1, 1, `values file is ${formatBytes(src.content.length)}, over the ${formatBytes(limits.maxFileBytes)} limit`));
      continue;
    }
    const l = parseValuesFile(src, errors);
    if (l) layers.push(l);
  }
  if (input.values) {
    const name = input.valuesName ?? '<inline values>';
    checkValueKeys(input.values, name, errors);
    layers.push({ file: name, value: input.values });
  }
  if (input.set?.length) {
    try {
      layers.push({ file: '--set', value: parseSet(input.set) });
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      errors.push(err);
    }
  }
  if (errors.length > 0) return finish([], errors);
  const values = mergeValues(...layers.map((l) => l.value));
  if (chart.schema) validateValuesSchema(chart.schema.file, chart.schema.text, values, layers, errors);
  if (errors.length > 0) return finish([], errors);

  const repoReader = input.repo ? new TreeReader(input.repo, '', limits) : undefined;
  const repoFiles = input.repo ? new Map<string, Buffer | null>() : undefined;
  const repoGlobs = new Set<string>();
  for (let pass = 1; ; pass++) {
    const wanted: FilesWanted = { paths: new Set(), globs: new Set() };
    const result = renderPass(chart, input, values, limits, { repo: repoFiles, repoGlobs }, wanted);
    const more = wanted.paths.size + wanted.globs.size > 0;
    if (!more || !repoReader || !repoFiles || pass >= maxPasses) return result;
    try {
      for (const p of wanted.paths) repoFiles.set(p, (await repoReader.readFile(p)) ?? null);
      for (const g of wanted.globs) {
        const prefix = g.slice(0, g.search(/[*?{]/) < 0 ? g.length : g.search(/[*?{]/)).replace(/[^/]*$/, '').replace(/\/$/, '');
        const sub: RenderError[] = [];
        const found = await repoReader.loadDir(prefix, sub).catch(() => new Map<string, Buffer>());
        for (const [k, v] of found) repoFiles.set(k, v);
        repoGlobs.add(g);
      }
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      return finish([], [err]);
    }
  }
}

function renderPass(
  chart: LoadedChart,
  input: RenderChartInput,
  values: Values,
  limits: RenderLimits,
  repo: { repo?: Map<string, Buffer | null>; repoGlobs: Set<string> },
  wanted: FilesWanted,
): RenderResult {
  const errors: RenderError[] = [];
  const session = new TemplateSession(chart.partials, input.compileCache ?? sharedCompileCache, limits);
  errors.push(...session.checkPartials());
  const files = filesObject({ chart: chart.files, repo: repo.repo, repoGlobs: repo.repoGlobs, currentFile: () => session.currentFile(), budget: session.budget }, wanted);
  const kubeVersion = input.kubeVersion ?? 'v1.32.0';
  const [major, minor] = kubeVersion.replace(/^v/, '').split('.');
  const rel = input.release;
  const base = {
    Values: values,
    Release: { Name: rel.name, Namespace: rel.namespace, Revision: rel.revision ?? 1, Service: 'baton', IsInstall: true, IsUpgrade: false, name: rel.name, namespace: rel.namespace, revision: rel.revision ?? 1 },
    Chart: { Name: chart.meta.name, Version: chart.meta.version, Description: chart.meta.description ?? '', AppVersion: chart.meta.appVersion ?? '', ...chart.meta },
    Capabilities: { KubeVersion: { Version: kubeVersion, Major: major, Minor: minor }, APIVersions: ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'policy/v1', 'autoscaling/v2'] },
    Files: files,
    Preview: previewContext(rel.preview),
  };
  const candidates: ObjectCandidate[] = [];
  for (const tpl of chart.templates) {
    const context = { ...base, Template: { Name: tpl.file, BasePath: `${chart.path ? `${chart.path}/` : ''}templates` } };
    const { output, errors: tplErrors } = session.render(tpl, context);
    errors.push(...tplErrors);
    if (output === undefined) continue;
    const docs = parseDocuments(output, tpl.file, errors, { what: 'rendered YAML' });
    candidates.push(...collectObjects(docs, tpl.file, errors));
  }
  const objects = finalizeObjects(candidates, input.release.namespace, errors);
  return finish(objects, errors);
}

/** `Preview` in templates: `Enabled` false outside a preview, so `{{#if Preview.Enabled}}` works everywhere. */
function previewContext(p: ReleaseInfo['preview']): Record<string, unknown> {
  if (!p) return { Enabled: false, enabled: false };
  return { Enabled: true, Number: p.number, Branch: p.branch, Sha: p.sha, Host: p.host, enabled: true, ...p };
}
