import type { KnownSecrets } from './known-secrets.js';

export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secrets wherever they sit: `token`,
 * `accessToken`, `gitlab_token`, `password`, `webhookSecret`, `authorization`,
 * `cookie`, `apiKey`, `privateKey`. Names that merely mention one
 * (`tokenEnv`, `secretVariable`, `tokenFile`) are left alone: they name where a
 * secret lives, which helps debugging and reveals nothing.
 */
const SECRET_KEY = /(token|secret|password|passwd|authorization|cookie|api[-_]?key|private[-_]?key|credentials?)$/i;

const MAX_DEPTH = 12;

/**
 * A copy of a log object with secret fields and Kubernetes Secret
 * `data`/`stringData` values replaced by `[REDACTED]`; the values found are
 * added to `secrets`, so the same value is also censored where it turns up
 * later as plain text (an error message, a diff line). Untouched branches are
 * shared, not copied; Errors are left to the line censor (their message is
 * text).
 */
export function redactObject<T>(value: T, secrets: KnownSecrets): T {
  return walk(value, secrets, 0, new WeakSet()) as T;
}

function walk(value: unknown, secrets: KnownSecrets, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || value instanceof Error) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = walk(item, secrets, depth + 1, seen);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  const record = value as Record<string, unknown>;
  const secretObject = record.kind === 'Secret' && typeof record.apiVersion === 'string';
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(record)) {
    let next: unknown;
    if (secretObject && (key === 'data' || key === 'stringData')) next = redactSecretData(item, secrets, key === 'data');
    else if (SECRET_KEY.test(key) && item !== undefined && item !== null && item !== '') next = redactLeaf(item, secrets);
    else next = walk(item, secrets, depth + 1, seen);
    if (next !== item) (copy ??= { ...record })[key] = next;
  }
  return copy ?? value;
}

function redactSecretData(data: unknown, secrets: KnownSecrets, base64: boolean): unknown {
  if (typeof data !== 'object' || data === null) return REDACTED;
  secrets.addFromObject(base64 ? { kind: 'Secret', data } : { kind: 'Secret', stringData: data });
  return Object.fromEntries(Object.keys(data).map((key) => [key, REDACTED]));
}

function redactLeaf(value: unknown, secrets: KnownSecrets): unknown {
  if (typeof value === 'string') {
    secrets.add(value);
    // `Bearer abc`: the credential is the last word.
    const word = /^(?:bearer|basic|token)\s+(\S+)$/i.exec(value.trim());
    if (word) secrets.add(word[1]);
    return REDACTED;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return REDACTED;
  // A `credentials: {username, password}` object: keep its shape, hide its leaves.
  if (typeof value === 'object' && value !== null && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaf(v, secrets)]));
  }
  return REDACTED;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
