import { RenderError } from '../errors/render-error.js';
import { globToRegExp } from '../tree/ignore-file.js';
import { normalizeTreePath } from '../tree/tree-path.js';
import type { WorkBudget } from '../template/work-budget.js';

type Loc = { loc?: { start: { line: number; column: number } } };

/** Where Files looks: the chart's files, then (for an app) its repository at the same commit. */
export interface FilesSources {
  /** Chart files by chart-relative path. */
  chart: Map<string, Buffer>;
  /** Repository files loaded so far, by repo-relative path; absent when rendering a chart alone. */
  repo?: Map<string, Buffer | null>;
  /** Repository globs already expanded. */
  repoGlobs?: Set<string>;
  /** The template file rendering (for error positions). */
  currentFile(): string;
  /** The render's budget: each call is a step, and the text it returns counts. @defaultValue unbudgeted */
  budget?: WorkBudget;
}

/** Repository reads a render asked for that were not loaded yet; the render is repeated once they are. */
export interface FilesWanted {
  paths: Set<string>;
  globs: Set<string>;
}

/**
 * Helm's Files object for templates: `Files.get "path"` (a file's text),
 * `Files.glob "pattern"` (a map of path → text), `Files.exists "path"`.
 * Paths are relative to the chart; `..` and absolute paths are refused.
 * Templates are synchronous, so a repository file that is not loaded yet is
 * recorded in `wanted` and read as "" — the caller loads it and renders again.
 */
export function filesObject(src: FilesSources, wanted: FilesWanted): Record<string, unknown> {
  const where = (o: Loc): [string, number, number] => [src.currentFile(), o?.loc?.start.line ?? 1, (o?.loc?.start.column ?? 0) + 1];
  const norm = (p: unknown, o: Loc): string => {
    if (typeof p !== 'string' || p === '') throw RenderError.at('TEMPLATE_RUNTIME', ...where(o), 'Files: a file path (string) is required');
    try {
      return normalizeTreePath(p);
    } catch (err) {
      throw RenderError.at('PATH_ESCAPE', ...where(o), `Files: ${(err as Error).message}; Files reach only the chart${src.repo ? ' and its repository' : ''}`);
    }
  };
  const spend = <T extends string | Record<string, string>>(out: T, o: Loc): T => {
    src.budget?.produced(typeof out === 'string' ? out.length : Object.values(out).reduce((n, v) => n + v.length, 0), () => where(o));
    return out;
  };
  const lookup = (path: string): Buffer | null | undefined => {
    const c = src.chart.get(path);
    if (c) return c;
    if (!src.repo) return null;
    if (!src.repo.has(path)) {
      wanted.paths.add(path);
      return undefined;
    }
    return src.repo.get(path) ?? null;
  };
  return {
    get(p: unknown, o: Loc) {
      src.budget?.step(() => where(o));
      const path = norm(p, o);
      const buf = lookup(path);
      if (buf === null) throw RenderError.at('NOT_FOUND', ...where(o), `Files.get: "${path}" not found in the chart${src.repo ? ' or the repository' : ''}`);
      return spend(buf ? buf.toString('utf8') : '', o);
    },
    exists(p: unknown, o: Loc) {
      src.budget?.step(() => where(o));
      const buf = lookup(norm(p, o));
      return buf !== null;
    },
    glob(pattern: unknown, o: Loc) {
      src.budget?.step(() => where(o));
      if (typeof pattern !== 'string' || pattern === '') throw RenderError.at('TEMPLATE_RUNTIME', ...where(o), 'Files.glob: a pattern is required');
      norm(pattern.replace(/[*?{}]/g, 'x'), o);
      const re = globToRegExp(pattern);
      const out: Record<string, string> = {};
      for (const [k, v] of [...src.chart].sort(([a], [b]) => (a < b ? -1 : 1))) if (re.test(k)) out[k] = v.toString('utf8');
      if (src.repo && Object.keys(out).length === 0) {
        if (!src.repoGlobs?.has(pattern)) wanted.globs.add(pattern);
        for (const [k, v] of [...src.repo].sort(([a], [b]) => (a < b ? -1 : 1))) if (v && re.test(k)) out[k] = v.toString('utf8');
      }
      return spend(out, o);
    },
  };
}
