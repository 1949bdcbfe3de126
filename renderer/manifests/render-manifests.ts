import { RenderError } from '../errors/render-error.js';
import { withDefaults, type RenderLimits } from '../limits.js';
import { collectObjects, type ObjectCandidate } from '../objects/collect-objects.js';
import { finalizeObjects } from '../objects/finalize-objects.js';
import { finish, type RenderResult } from '../render-result.js';
import type { FileTree } from '../tree/file-tree.js';
import { ignoreMatcher } from '../tree/ignore-file.js';
import { TreeReader } from '../tree/load-dir.js';
import { joinTreePath } from '../tree/tree-path.js';
import { decodeUtf8 } from '../tree/decode-utf8.js';
import { parseDocuments } from '../yaml/parse-documents.js';

export interface RenderManifestsInput {
  tree: FileTree;
  /** Tree path of the manifest directory ('' for the root). */
  path: string;
  /** Namespace given to namespaced objects that name none. */
  namespace: string;
  /** Tree path symlinks may not leave. @defaultValue '' (the whole tree) */
  confine?: string;
  limits?: Partial<RenderLimits>;
}

const manifestFile = /\.(ya?ml|json)$/;

/**
 * Reads every *.yaml, *.yml and *.json below a directory (multi-document
 * YAML, `List` kinds flattened). Any other file is an error unless the
 * directory's `.batonignore` (gitignore syntax) lists it.
 */
export async function renderManifests(input: RenderManifestsInput): Promise<RenderResult> {
  const limits: RenderLimits = withDefaults(input.limits);
  const errors: RenderError[] = [];
  const reader = new TreeReader(input.tree, input.confine ?? '', limits);
  const candidates: ObjectCandidate[] = [];
  try {
    const ignoreFile = joinTreePath(input.path, '.batonignore');
    const ignoreText = await reader.readFile(ignoreFile);
    const skip = ignoreMatcher(ignoreText?.toString('utf8'));
    const files = await reader.loadDir(input.path, errors, (rel, isDir) => rel === '.batonignore' || skip(rel, isDir));
    for (const [file, buf] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!manifestFile.test(file)) {
        errors.push(RenderError.at('NOT_A_MANIFEST', file, 1, 1, 'not a manifest (*.yaml, *.yml or *.json); list it in .batonignore to leave it out'));
        continue;
      }
      const text = decodeUtf8(buf, file, errors);
      if (text === undefined) continue;
      const docs = parseDocuments(text, file, errors);
      candidates.push(...collectObjects(docs, file, errors));
    }
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    errors.push(err);
  }
  const objects = finalizeObjects(candidates, input.namespace, errors);
  return finish(objects, errors);
}
