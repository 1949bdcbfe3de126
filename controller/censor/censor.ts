import { knownSecrets as processSecrets, type KnownSecrets } from './known-secrets.js';
import { REDACTED } from './redact-object.js';

/** `scheme://user:password@host` (also JSON-escaped `\/\/`): the user info goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:(?:\/\/|\\\/\\\/))[^\s/@"'\\]+@/gi;
/** `Bearer <token>` or `Basic <base64>` as a header reads in text; 8+ characters, so "Bearer token missing" stays readable. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/g;
/**
 * A JSON Web Token (`eyJ…` header, payload, signature), as ServiceAccount
 * tokens are: minted per pod, so no list of known values holds them; and its
 * base64 (`ZXlK…`), as a pod printing `base64 token` shows it.
 */
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|\bZXlK[A-Za-z0-9+/]{40,}={0,2}/g;

const MAX_DEPTH = 32;

/**
 * The one censor of baton: every known secret value (Secret values, API and
 * runtime tokens, webhook secrets, Git and provider tokens, in each encoding
 * KnownSecrets keeps), URL user info, bearer/basic credentials and JWTs in `text`
 * become `[REDACTED]`. Log lines, messages kept in Redis, API answers, events
 * and pod logs served to readers all go through it.
 */
export function censorLine(line: string, secrets: KnownSecrets = processSecrets): string {
  return secrets
    .censor(line, REDACTED)
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED);
}

/** A copy of `value` (JSON-like) with `censorLine` applied to every string in it, keys included; untouched branches are shared. */
export function censorValue<T>(value: T, secrets: KnownSecrets = processSecrets): T {
  return walk(value, secrets, 0) as T;
}

function walk(value: unknown, secrets: KnownSecrets, depth: number): unknown {
  if (typeof value === 'string') return censorLine(value, secrets);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = walk(item, secrets, depth + 1);
      if (next !== item) (copy ??= [...value])[i] = next;
    });
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([k, v]) => {
    const key = censorLine(k, secrets);
    const next = walk(v, secrets, depth + 1);
    if (key !== k || next !== v) changed = true;
    return [key, next] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}
