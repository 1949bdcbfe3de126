import type { RenderError } from './errors/render-error.js';
import type { RenderedObject } from './objects/finalize-objects.js';

/** What every render returns: objects in apply order, or the errors (all of them) that stopped it. */
export interface RenderResult {
  /** Empty whenever `errors` is not: a render is all or nothing. */
  objects: RenderedObject[];
  errors: RenderError[];
}

/** Who is being rendered, as templates see it in `Release`. */
export interface ReleaseInfo {
  name: string;
  /** Target namespace; namespaced objects without one get it. */
  namespace: string;
  /** @defaultValue 1 */
  revision?: number;
  /** Set when rendering a pull/merge request's preview: templates see it as `Preview` (`preview.number`, …). @defaultValue undefined */
  preview?: { number: number; branch: string; sha: string; host: string };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Errors in file, line, column order, so the same input prints the same report. */
export function finish(objects: RenderedObject[], errors: RenderError[]): RenderResult {
  if (errors.length === 0) return { objects, errors };
  // A partial included twice fails twice in the same place: report it once.
  const unique = [...new Map(errors.map((e) => [e.format(), e])).values()];
  const sorted = unique.sort((a, b) => cmp(a.data.file, b.data.file) || a.data.line - b.data.line || a.data.col - b.data.col);
  return { objects: [], errors: sorted };
}
