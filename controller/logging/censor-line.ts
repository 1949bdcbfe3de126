import type { KnownSecrets } from './known-secrets.js';
import { REDACTED } from './redact-object.js';

/** `scheme://user:password@host` (also JSON-escaped `\/\/`): the user info goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:(?:\/\/|\\\/\\\/))[^\s/@"'\\]+@/gi;
/** `Bearer <token>` or `Basic <base64>` as a header reads in text; 8+ characters, so "Bearer token missing" stays readable. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/g;

/**
 * The last line of defence, over the final text of a log line: every known
 * secret value, URL user info and bearer/basic credentials are replaced, so a
 * secret that reached a message or a stack (not only a field) is still hidden.
 */
export function censorLine(line: string, secrets: KnownSecrets): string {
  return secrets
    .censor(line, REDACTED)
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}
