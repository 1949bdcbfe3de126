import { RenderError } from '../errors/render-error.js';
import type { FieldPath, ParsedDocument } from '../yaml/parse-documents.js';
import { validateObject } from './validate-object.js';

/** An object read from a document, not yet defaulted or sorted. */
export interface ObjectCandidate {
  object: Record<string, any>;
  file: string;
  line: number;
  col: number;
}

const isMap = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns parsed documents into objects: `List` kinds (`List`, `ConfigMapList`, …)
 * are flattened, each object is validated, and problems are appended to
 * `errors` at the line of the offending field.
 */
export function collectObjects(docs: ParsedDocument[], file: string, errors: RenderError[]): ObjectCandidate[] {
  const out: ObjectCandidate[] = [];
  const take = (value: unknown, doc: ParsedDocument, prefix: FieldPath) => {
    const here = doc.locate(prefix);
    if (!isMap(value)) {
      errors.push(RenderError.at('INVALID_OBJECT', file, here.line, here.col, `expected a Kubernetes object (a mapping with apiVersion, kind, metadata), got ${Array.isArray(value) ? 'a list' : typeof value}`));
      return;
    }
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item: unknown, i: number) => take(item, doc, [...prefix, 'items', i]));
      return;
    }
    if (!('apiVersion' in value) && !('kind' in value) && !('metadata' in value)) {
      // One message for a file that is something else (values, CI config), not three for its missing fields.
      errors.push(RenderError.at('INVALID_OBJECT', file, here.line, here.col, 'not a Kubernetes object (no apiVersion, kind or metadata); leave the file out with directory.exclude or .batonignore'));
      return;
    }
    const issues = validateObject(value);
    for (const issue of issues) {
      const p = doc.locate([...prefix, ...issue.path]);
      const what = typeof value.kind === 'string' && typeof value.metadata?.name === 'string' ? `${value.kind} ${value.metadata.name}: ` : '';
      errors.push(RenderError.at('INVALID_OBJECT', file, p.line, p.col, `${what}${issue.message}`, { field: issue.path.join('.') }));
    }
    if (issues.length === 0) out.push({ object: value, file, line: here.line, col: here.col });
  };
  for (const doc of docs) take(doc.value, doc, []);
  return out;
}
