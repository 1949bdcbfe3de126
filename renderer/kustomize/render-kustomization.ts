import { stringify } from 'yaml';
import { RenderError } from '../errors/render-error.js';
import type { RenderLimits } from '../limits.js';
import { collectObjects } from '../objects/collect-objects.js';
import { finalizeObjects } from '../objects/finalize-objects.js';
import { finish, type RenderResult } from '../render-result.js';
import type { TreeReader } from '../tree/load-dir.js';
import { decodeUtf8 } from '../tree/decode-utf8.js';
import { joinTreePath, normalizeTreePath } from '../tree/tree-path.js';
import { parseDocuments } from '../yaml/parse-documents.js';
import { collectKustomization } from './collect-kustomization.js';
import { parseImageOverride, type KustomizeOptions } from './kustomize-options.js';
import { KustomizeFailure, runKustomize } from './run-kustomize.js';

export interface RenderKustomizationInput {
  reader: TreeReader;
  /** Tree path of the directory holding the kustomization. */
  path: string;
  /** Tree path of its kustomization file: objects and kustomize's errors are reported there. */
  file: string;
  namespace: string;
  options?: KustomizeOptions;
  /** Where `options` were written (baton.yaml), for their errors. */
  optionsName: string;
  limits: RenderLimits;
}

/**
 * Builds a Kustomize app with `kubectl kustomize` from the files it can
 * reach, then finalizes its objects as plain manifests' are (validation,
 * namespace defaults, apply order), each attributed to the kustomization.
 */
export async function renderKustomization(input: RenderKustomizationInput): Promise<RenderResult> {
  const errors: RenderError[] = [];
  const { reader, path, file } = input;
  let output: string;
  try {
    const files = await collectKustomization(reader, path, errors);
    const patches = await inlinePatches(input, files, errors);
    if (errors.length > 0) return finish([], errors);
    const options = input.options;
    output = await runKustomize({
      files,
      dir: path,
      overlay: options && hasOptions(options) ? (resource) => overlay(resource, options, patches) : undefined,
      maxOutputBytes: input.limits.maxOutputBytes,
    });
  } catch (err) {
    if (err instanceof KustomizeFailure) return finish([], [RenderError.at('KUSTOMIZE', file, 1, 1, err.message)]);
    if (!(err instanceof RenderError)) throw err;
    return finish([], [...errors, err]);
  }
  // kustomize's output has no lines of the user's: problems point at the kustomization, quoting the output's line.
  const found: RenderError[] = [];
  const docs = parseDocuments(output, file, found, { what: "kustomize's output" });
  const candidates = collectObjects(docs, file, found).map((c) => ({ ...c, line: 1, col: 1 }));
  for (const e of found) errors.push(RenderError.at(e.code, file, 1, 1, `${e.message} (line ${e.data.line} of kustomize's output)`));
  const objects = finalizeObjects(candidates, input.namespace, errors);
  return finish(objects, errors);
}

function hasOptions(o: KustomizeOptions): boolean {
  return Boolean(o.images?.length || o.namePrefix || o.nameSuffix || Object.keys(o.commonLabels ?? {}).length || o.patches?.length);
}

/** baton.yaml's patches as kustomize wants them: a `path` is read (relative to the app) and inlined. */
async function inlinePatches(input: RenderKustomizationInput, files: Map<string, Buffer>, errors: RenderError[]): Promise<object[]> {
  const out: object[] = [];
  for (const [i, p] of (input.options?.patches ?? []).entries()) {
    let patch = p.patch;
    if (p.path !== undefined) {
      const at = joinTreePath(input.path, normalizeTreePath(p.path, input.optionsName));
      const buf = files.get(at) ?? (await input.reader.readFile(at));
      const text = buf && decodeUtf8(buf, at, errors);
      if (text === undefined) {
        if (!buf) errors.push(RenderError.at('NOT_FOUND', input.optionsName, 1, 1, `kustomize.patches[${i}].path: "${p.path}" not found in ${input.path}`));
        continue;
      }
      patch = text;
    }
    if (patch === undefined) {
      errors.push(RenderError.at('KUSTOMIZE', input.optionsName, 1, 1, `kustomize.patches[${i}]: needs patch (inline) or path`));
      continue;
    }
    out.push({ patch, ...(p.target ? { target: p.target } : {}), ...(p.options ? { options: p.options } : {}) });
  }
  return out;
}

/** The kustomization Argo CD's `kustomize edit` would leave, as an overlay over the app's. */
function overlay(resource: string, o: KustomizeOptions, patches: object[]): string {
  return stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [resource],
    ...(o.namePrefix ? { namePrefix: o.namePrefix } : {}),
    ...(o.nameSuffix ? { nameSuffix: o.nameSuffix } : {}),
    ...(o.commonLabels && Object.keys(o.commonLabels).length > 0 ? { commonLabels: o.commonLabels } : {}),
    ...(o.images?.length ? { images: o.images.map(parseImageOverride) } : {}),
    ...(patches.length > 0 ? { patches } : {}),
  });
}
