import { renderChart, type ChartRef } from './chart/render-chart.js';
import { RenderError } from './errors/render-error.js';
import { withDefaults, type RenderLimits } from './limits.js';
import { findKustomization } from './kustomize/collect-kustomization.js';
import type { KustomizeOptions } from './kustomize/kustomize-options.js';
import { renderKustomization } from './kustomize/render-kustomization.js';
import { renderManifests, type DirectoryOptions } from './manifests/render-manifests.js';
import { finish, type ReleaseInfo, type RenderResult } from './render-result.js';
import type { CompileCache } from './template/compile-cache.js';
import type { FileTree } from './tree/file-tree.js';
import { TreeReader } from './tree/load-dir.js';
import { joinTreePath, normalizeTreePath } from './tree/tree-path.js';
import type { ValuesSource } from './values/load-values.js';
import type { Values } from './values/values.js';

export interface RenderAppInput {
  /** The app's repository at the commit being rendered. */
  repo: FileTree;
  /** Repo path of the app: a chart when it holds Chart.yaml, a Kustomize app when it holds kustomization.yaml, else plain manifests. Give this or `chart`. */
  path?: string;
  /** A chart from elsewhere (baton's bundled charts/), rendered with this repository's values files. */
  chart?: ChartRef;
  /** Repo-relative values files, lowest first (charts only). @defaultValue [] */
  valuesFiles?: string[];
  /** Inline values (charts only), over the values files. @defaultValue {} */
  values?: Values;
  /** Name inline values are reported under, e.g. 'baton.yaml'. @defaultValue '<inline values>' */
  valuesName?: string;
  /** `--set` expressions (charts only), applied last. @defaultValue [] */
  set?: string[];
  release: ReleaseInfo;
  /** How a directory of plain manifests is read (Argo CD's `source.directory`). @defaultValue top level only */
  directory?: DirectoryOptions;
  /** Images, name prefix/suffix, labels and patches over a Kustomize app (Argo CD's `source.kustomize`). @defaultValue none */
  kustomize?: KustomizeOptions;
  /** @defaultValue the process-wide compile cache */
  compileCache?: CompileCache | false;
  limits?: Partial<RenderLimits>;
}

/**
 * Renders one application of a repository, the controller's entry point:
 * a bundled chart, a chart in the repository, a Kustomize app (built with
 * `kubectl kustomize`), or a directory of manifests.
 * Files (and symlinks) reach the chart and the repository, never beyond.
 */
export async function renderApp(input: RenderAppInput): Promise<RenderResult> {
  const limits = withDefaults(input.limits);
  const reader = new TreeReader(input.repo, '', limits);
  const errors: RenderError[] = [];
  if ((input.path === undefined) === (input.chart === undefined)) {
    return finish([], [RenderError.at('BAD_CHART', 'baton.yaml', 1, 1, 'an app needs exactly one of path or chart')]);
  }
  let chart = input.chart;
  // Options for one kind of source on another are a mistake in baton.yaml: the controller maps this spot to the app's line.
  const optionsAt = input.valuesName ?? '<inline values>';
  if (!chart) {
    let path: string;
    let kustomization: string | undefined;
    try {
      path = normalizeTreePath(input.path!);
      const found = await reader.resolve(joinTreePath(path, 'Chart.yaml'));
      if (found?.type === 'file') chart = { tree: input.repo, path };
      else kustomization = await findKustomization(reader, path);
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      return finish([], [err]);
    }
    const kind = chart ? 'a chart' : kustomization ? 'a Kustomize app' : 'a directory of manifests';
    if (input.kustomize && !kustomization) errors.push(RenderError.at('KUSTOMIZE', optionsAt, 1, 1, `kustomize: options are set, but ${path} is ${kind}, with no kustomization.yaml`));
    if (input.directory && (chart || kustomization)) errors.push(RenderError.at('BAD_CHART', optionsAt, 1, 1, `directory: options are set, but ${path} is ${kind}; they apply to a directory of manifests`));
    if (errors.length > 0) return finish([], errors);
    if (kustomization) {
      const result = await renderKustomization({ reader, path, file: kustomization, namespace: input.release.namespace, options: input.kustomize, optionsName: optionsAt, limits });
      return requireObjects(result, kustomization, `the kustomization ${kustomization} built no objects`);
    }
    if (!chart) {
      const result = await renderManifests({ tree: input.repo, path, namespace: input.release.namespace, directory: input.directory, limits: input.limits });
      return requireObjects(result, path, `no manifests (*.yaml, *.yml, *.json) in ${path}${input.directory?.recurse ? '' : ' (subdirectories are read only with directory.recurse: true)'}`);
    }
  }
  const valuesFiles: ValuesSource[] = [];
  for (const f of input.valuesFiles ?? []) {
    if (f.trim() === '') {
      // No file to name: report it where the list was written (the controller maps this spot to baton.yaml's line).
      errors.push(RenderError.at('NOT_FOUND', input.valuesName ?? '<inline values>', 1, 1, 'a values file path is empty'));
      continue;
    }
    try {
      const content = await reader.readFile(normalizeTreePath(f));
      if (content) valuesFiles.push({ file: f, content });
      else errors.push(RenderError.at('NOT_FOUND', f, 1, 1, `values file "${f}" not found in the repository`));
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      errors.push(err);
    }
  }
  if (errors.length > 0) return finish([], errors);
  const result = await renderChart({
    chart,
    release: input.release,
    valuesFiles,
    values: input.values,
    valuesName: input.valuesName,
    set: input.set,
    repo: input.repo,
    compileCache: input.compileCache,
    limits: input.limits,
  });
  return requireObjects(result, joinTreePath(chart.path, 'Chart.yaml'), `the chart ${chart.path || '.'} rendered no objects`);
}

/**
 * An app that renders nothing is an error: applied, it would show Synced and
 * Healthy while deploying nothing (a Helm umbrella chart, a wrong path).
 */
function requireObjects(result: RenderResult, file: string, what: string): RenderResult {
  if (result.errors.length > 0 || result.objects.length > 0) return result;
  return finish([], [RenderError.at('NO_OBJECTS', file, 1, 1, `${what}; an app must render at least one object`)]);
}
