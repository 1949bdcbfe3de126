import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level and undefined fields left out:
 * equal objects give equal text, whatever order their keys came in. The text
 * of rendered-object digests, so it must not change.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((x) => canonicalJson(x ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** `sha256:` + hex digest of a value's canonical JSON. */
export function contentDigest(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

/**
 * The value in the form Kubernetes' semantic equality compares: keys sorted,
 * and null, empty objects and empty arrays dropped, since nil and empty mean
 * the same and kubectl round-trips templates through Go structs that add
 * `creationTimestamp: null` and `resources: {}`. Undefined when nothing is left.
 */
export function semanticForm(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(semanticForm).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = semanticForm((value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value === null ? undefined : value;
}

/**
 * The semantic form as text, for hashing pod templates. It is
 * `JSON.stringify` of the form (integer-like keys first), not
 * {@link canonicalJson}: pod-template-hash labels of existing ReplicaSets were
 * computed from this text, and a different hash would roll every Deployment.
 */
export function semanticJson(value: unknown): string {
  return JSON.stringify(semanticForm(value) ?? null);
}

/** Whether `a` and `b` are equal as Kubernetes compares objects (see {@link semanticForm}). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return semanticJson(a) === semanticJson(b);
}
