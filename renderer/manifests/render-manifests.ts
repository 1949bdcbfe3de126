import { RenderError } from '../errors/render-error.js';
import { withDefaults, type RenderLimits } from '../limits.js';
import { collectObjects, type ObjectCandidate } from '../objects/collect-objects.js';
import { finalizeObjects } from '../objects/finalize-objects.js';
import { finish, type RenderResult } from '../render-result.js';
import type { FileTree } from '../tree/file-tree.js';
import { globToRegExp, ignoreMatcher } from '../tree/ignore-file.js';
import { TreeReader } from '../tree/load-dir.js';
import { joinTreePath } from '../tree/tree-path.js';
import { decodeUtf8 } from '../tree/decode-utf8.js';
import { parseDocuments } from '../yaml/parse-documents.js';

/** How a directory of manifests is read: Argo CD's `source.directory`. */
export interface DirectoryOptions {
  /** Read subdirectories too. @defaultValue false (as Argo CD) */
  recurse?: boolean;
  /** Only files whose path (relative to the directory) matches this glob, e.g. `'{a.yaml,prod/*}'`. @defaultValue every manifest */
  include?: string;
  /** Leave out files whose relative path matches this glob. @defaultValue none */
  exclude?: string;
}

export interface RenderManifestsInput {
  tree: FileTree;
  /** Tree path of the manifest directory ('' for the root). */
  path: string;
  /** Namespace given to namespaced objects that name none. */
  namespace: string;
  /** Tree path symlinks may not leave. @defaultValue '' (the whole tree) */
  confine?: string;
  /** @defaultValue {} (top level only, every manifest) */
  directory?: DirectoryOptions;
  limits?: Partial<RenderLimits>;
}

const manifestFile = /\.(ya?ml|json)$/;

/**
 * Argo CD's glob: `*` also crosses `/` (it matches without separators), so
 * `*.yaml` picks manifests in subdirectories too when recursing.
 */
function argoGlob(pattern: string): RegExp {
  return globToRegExp(pattern.replace(/\*+/g, '**'));
}

/**
 * Reads the *.yaml, *.yml and *.json files of a directory (multi-document
 * YAML, `List` kinds flattened), as Argo CD reads a directory source: other
 * files (README.md, Makefile, scripts, pictures) are left alone, and so is
 * whatever the directory's `.batonignore` (gitignore syntax) lists.
 */
export async function renderManifests(input: RenderManifestsInput): Promise<RenderResult> {
  const limits: RenderLimits = withDefaults(input.limits);
  const errors: RenderError[] = [];
  const reader = new TreeReader(input.tree, input.confine ?? '', limits);
  const candidates: ObjectCandidate[] = [];
  const { recurse = false, include, exclude } = input.directory ?? {};
  const included = include ? argoGlob(include) : undefined;
  const excluded = exclude ? argoGlob(exclude) : undefined;
  try {
    const ignoreFile = joinTreePath(input.path, '.batonignore');
    const ignoreText = await reader.readFile(ignoreFile);
    const ignored = ignoreMatcher(ignoreText?.toString('utf8'));
    // Decided before a file is read, so a large picture or binary next to the manifests costs nothing.
    const skip = (rel: string, isDir: boolean, isLink = false) => {
      if (rel === '.batonignore' || ignored(rel, isDir)) return true;
      if (isLink) return false; // a link to a directory is judged once resolved
      if (isDir) return !recurse;
      return !manifestFile.test(rel) || (included !== undefined && !included.test(rel)) || (excluded?.test(rel) ?? false);
    };
    const files = await reader.loadDir(input.path, errors, skip);
    for (const [file, buf] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
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
