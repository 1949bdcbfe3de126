import type { KubeObject } from '../../runtime/kube/object.js';
import { RenderError } from '../errors/render-error.js';
import { applyRank } from '../../runtime/kube/apply-order.js';
import { contentDigest } from '../../runtime/kube/canonical-json.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { ObjectCandidate } from './collect-objects.js';

/** One object of a render's output. */
export interface RenderedObject {
  object: KubeObject;
  /** Tree path of the file (template or manifest) and the line its document starts on. */
  source: { file: string; line: number };
  /** `sha256:` of the object's canonical JSON: equal objects, equal digests. */
  digest: string;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Defaults namespaces, rejects duplicates (same kind, namespace and name),
 * sorts into apply order (then kind, namespace, name) and digests each object.
 */
export function finalizeObjects(candidates: ObjectCandidate[], namespace: string, errors: RenderError[]): RenderedObject[] {
  const seen = new Map<string, ObjectCandidate>();
  const out: RenderedObject[] = [];
  for (const c of candidates) {
    const obj = c.object;
    if (!isClusterScoped(obj.kind) && obj.metadata.namespace === undefined) {
      const { name, ...rest } = obj.metadata;
      obj.metadata = { name, namespace, ...rest };
    }
    // A hook named by the cluster (generateName) is a new object at each sync: never a duplicate.
    const key = obj.metadata.name === undefined ? undefined : `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const first = key === undefined ? undefined : seen.get(key);
    if (first) {
      const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
      errors.push(
        RenderError.at('DUPLICATE_OBJECT', c.file, c.line, c.col, `duplicate ${obj.kind} ${ns}${obj.metadata.name}: already defined at ${first.file}:${first.line}:${first.col}`, {
          first: { file: first.file, line: first.line, col: first.col },
        }),
      );
      continue;
    }
    if (key !== undefined) seen.set(key, c);
    out.push({ object: obj as KubeObject, source: { file: c.file, line: c.line }, digest: contentDigest(obj) });
  }
  return out.sort((a, b) => {
    const x = a.object;
    const y = b.object;
    return (
      applyRank(x.kind) - applyRank(y.kind) ||
      cmp(x.kind, y.kind) ||
      cmp(x.metadata.namespace ?? '', y.metadata.namespace ?? '') ||
      cmp(x.metadata.name ?? x.metadata.generateName ?? '', y.metadata.name ?? y.metadata.generateName ?? '')
    );
  });
}
