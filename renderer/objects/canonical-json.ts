import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: equal objects give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x ?? null)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys
      .filter((k) => (v as any)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** `sha256:` + hex digest of an object's canonical JSON. */
export function contentDigest(v: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(v)).digest('hex')}`;
}
