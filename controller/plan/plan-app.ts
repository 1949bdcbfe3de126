import type { AppSpec, PreviewInstance } from '../apps/app-spec.js';
import { previewNamespaceObject, previewObject, type DroppedObject } from './preview-transform.js';
import { mergeValues, renderApp, type FileTree, type RenderedObject, type RenderError } from '../../renderer/index.js';
import { contentDigest } from '../../runtime/kube/canonical-json.js';
import { computeInputsKey, extraDeps, parseInputsKey, type PlanSource } from './inputs-key.js';
import { RecordingTree } from './recording-tree.js';
import { trackObject } from '../apps/track-objects.js';
import { reservedNamespaceErrors } from './reserved-namespaces.js';

export interface PlanAppInput {
  app: AppSpec;
  /** The app's repository. */
  repo: PlanSource;
  /** Commit to plan (already fetched). */
  commit: string;
  /** What the last plan of this app recorded. @defaultValue nothing: always render */
  previous?: { inputsKey?: string; digest?: string };
  /** baton's bundled charts (a tree whose top-level directories are charts, e.g. DiskTree of `charts/`). */
  chartsTree: FileTree;
  /** Plan the app's preview: `preview.values` layered over `set`. @defaultValue false */
  preview?: boolean;
  /** The renderer; tests count calls through it. @defaultValue renderApp */
  render?: typeof renderApp;
}

/** Nothing the render reads changed since the last plan: its outcome stands. */
export interface SkipPlan {
  action: 'skip';
  inputsKey: string;
}

/** The app does not render; nothing of it may be applied (invariant 1). */
export interface DegradedPlan {
  action: 'degraded';
  /** `file:line:col: message`, in file order. */
  errors: string[];
  inputsKey: string;
}

export interface RenderPlan {
  action: 'render';
  /** In apply order, each marked with baton's labels and annotations (see track-objects.ts). */
  objects: RenderedObject[];
  /** Digest of the app's rendered objects, the same for every commit that renders them the same. */
  digest: string;
  /** True when `digest` equals the previous plan's: inputs changed, output did not. */
  sameDigest: boolean;
  inputsKey: string;
  /** What a preview left out of `pr-N`, and why, in render order. @defaultValue absent: not a preview, or nothing left out */
  dropped?: DroppedObject[];
}

export type AppPlan = SkipPlan | DegradedPlan | RenderPlan;

/**
 * Plans one app at one commit. An unchanged inputs key costs a few Git id
 * lookups and no render; otherwise the app is rendered (all or nothing), its
 * objects marked as baton's, and the paths the render read are recorded in
 * the new key. Git read failures are thrown (worth a retry); render errors
 * are a degraded plan (not worth one until the inputs change).
 */
export async function planApp(input: PlanAppInput): Promise<AppPlan> {
  const { app, repo, commit, chartsTree } = input;
  const preview = (input.preview ?? false) || app.instance !== undefined;
  const previousKey = input.previous?.inputsKey;
  const keyInput = { app, repo, commit, chartsTree, preview };
  if (previousKey !== undefined) {
    const now = await computeInputsKey({ ...keyInput, deps: parseInputsKey(previousKey) });
    if (now === previousKey) return { action: 'skip', inputsKey: now };
  }

  if (app.chart !== undefined && !(await chartsTree.list(app.chart))) {
    const at = app.declaredAt ?? { file: 'baton.yaml', line: 1, col: 1 };
    const known = ((await chartsTree.list('')) ?? []).filter((e) => e.type === 'dir').map((e) => e.name);
    const inputsKey = await computeInputsKey({ ...keyInput, deps: { reads: [], lists: [], types: [] } });
    return { action: 'degraded', errors: [`${at.file}:${at.line}:${at.col}: no chart "${app.chart}" is bundled with baton (there are: ${known.join(', ') || 'none'})`], inputsKey };
  }
  const tree = new RecordingTree(repo.tree(commit));
  const valuesName = app.declaredAt?.file ?? 'baton.yaml';
  const result = await (input.render ?? renderApp)({
    repo: tree,
    ...(app.path !== undefined ? { path: app.path } : { chart: { tree: chartsTree, path: app.chart! } }),
    ...(app.directory !== undefined ? { directory: app.directory } : {}),
    ...(app.kustomize !== undefined ? { kustomize: app.kustomize } : {}),
    valuesFiles: app.values,
    // A preview spec's `set` already holds its preview values (controller/previews).
    values: preview && !app.instance ? mergeValues(app.set, app.preview.values) : app.set,
    valuesName,
    release: app.instance
      ? { name: app.instance.app, namespace: app.namespace, preview: { number: app.instance.number, branch: app.instance.branch, sha: app.instance.sha, host: app.instance.host } }
      : { name: app.name, namespace: app.namespace },
  });
  const inputsKey = await computeInputsKey({ ...keyInput, deps: extraDeps(app, tree.reads, tree.lists, tree.types) });
  // An app's objects in a preview's namespace would collide with the preview: refused like any bad object.
  const errors = result.errors.length > 0 || app.instance ? result.errors : reservedNamespaceErrors(result.objects);
  if (errors.length > 0) {
    return { action: 'degraded', errors: errors.map((e) => formatRenderError(e, valuesName, app)), inputsKey };
  }
  const { rendered, dropped } = app.instance ? previewRendered(result.objects, app.instance) : { rendered: result.objects, dropped: [] };
  const objects = rendered.map((o) => ({ ...o, object: trackObject(o.object, { app: app.name, revision: commit, digest: o.digest }) }));
  // A preview's objects differ from the render by its number (namespace, hosts): part of the digest.
  const digest = contentDigest([...rendered.map((o) => o.digest), ...(app.instance ? [`preview:${app.instance.number}`] : [])]);
  return { action: 'render', objects, digest, sameDigest: digest === input.previous?.digest, inputsKey, ...(dropped.length > 0 ? { dropped } : {}) };
}

/** The render's objects as the preview's (controller/plan/preview-transform.ts), each keeping its digest, and what the preview left out. */
function previewRendered(objects: readonly RenderedObject[], instance: PreviewInstance): { rendered: RenderedObject[]; dropped: DroppedObject[] } {
  const dropped: DroppedObject[] = [];
  const moved: RenderedObject[] = [];
  for (const o of objects) {
    const result = previewObject(o.object, instance);
    if ('object' in result) moved.push({ ...o, object: result.object });
    else dropped.push(result.dropped);
  }
  // Every app of the preview carries its namespace, labelled as a preview's, so no sync
  // ever creates `pr-N` unmarked (the sweeper finds previews' namespaces by that label).
  const namespace = previewNamespaceObject(instance.number);
  return { rendered: [{ object: namespace, source: { file: 'baton.yaml', line: 1 }, digest: `namespace:${namespace.metadata.name}` }, ...moved], dropped };
}

/** Inline values have no lines of their own: their errors point at the app's entry in baton.yaml. */
function formatRenderError(e: RenderError, valuesName: string, app: AppSpec): string {
  const at = app.declaredAt;
  if (at && e.data.file === valuesName && e.data.line === 1 && e.data.col === 1) return `${at.file}:${at.line}:${at.col}: ${e.message}`;
  return e.format();
}
