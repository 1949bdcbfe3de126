import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Files of a state dir holding secrets baton made: both API tokens and the runtime's admin token. */
export const STATE_DIR_SECRET_FILES = ['api-token', 'api-token-readonly', 'runtime-token'] as const;

/** Values shorter than this are not censored: masking "1" or "yes" everywhere would wreck logs and protect nothing. */
export const MIN_SECRET_LENGTH = 4;

/** Environment variables whose values are secrets: `BATON_*TOKEN*`, `BATON_*SECRET*`, `BATON_*PASSWORD*`. */
const SECRET_ENV = /^BATON_.*(TOKEN|SECRET|PASSWORD)/i;

/**
 * The secret values a process knows of (tokens, webhook secrets, Kubernetes
 * Secret data it has read). Every logger censors each of them, in the forms a
 * log line may carry them: as is, base64 (Secret `data`), URL-encoded and
 * JSON-escaped.
 */
export class KnownSecrets {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Remembers a secret value; empty and very short values are ignored. */
  add(value: string | undefined | null): void {
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    for (const v of new Set([value, trimmed])) {
      if (v.length < MIN_SECRET_LENGTH || this.values.has(v)) continue;
      for (const form of encodings(v)) if (form.length >= MIN_SECRET_LENGTH) this.values.add(form);
      this.pattern = undefined;
    }
  }

  /** Remembers the values of the secret-named `BATON_*` variables of `env`. */
  addFromEnv(env: NodeJS.ProcessEnv = process.env): void {
    for (const [name, value] of Object.entries(env)) if (SECRET_ENV.test(name)) this.add(value);
  }

  /**
   * Remembers the tokens kept in `stateDir` (STATE_DIR_SECRET_FILES); a
   * missing file is skipped. Call it again once a part has made its token,
   * so a pod that prints one leaks it nowhere.
   */
  addFromStateDir(stateDir: string): void {
    for (const name of STATE_DIR_SECRET_FILES) {
      try {
        this.add(readFileSync(join(stateDir, name), 'utf8').trim());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  /**
   * Remembers the values of a Kubernetes Secret (`data` decoded from base64,
   * and `stringData`); other objects are ignored. Call it for each Secret a
   * sync renders or reads, so its values are censored wherever they turn up.
   */
  addFromObject(object: { kind?: unknown; data?: unknown; stringData?: unknown }): void {
    if (object.kind !== 'Secret') return;
    for (const [field, base64] of [
      ['data', true],
      ['stringData', false],
    ] as const) {
      const values = object[field];
      if (typeof values !== 'object' || values === null) continue;
      for (const v of Object.values(values as Record<string, unknown>)) {
        if (typeof v !== 'string') continue;
        this.add(v);
        if (base64) this.add(Buffer.from(v, 'base64').toString('utf8'));
      }
    }
  }

  get size(): number {
    return this.values.size;
  }

  /** `text` with every known secret replaced by `replacement`. */
  censor(text: string, replacement: string): string {
    if (this.values.size === 0) return text;
    this.pattern ??= new RegExp(
      // Longest first, so a value containing another is replaced whole.
      [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'),
      'g',
    );
    return text.replace(this.pattern, replacement);
  }
}

/** The process-wide set every logger censors unless given its own. */
export const knownSecrets = new KnownSecrets();

function encodings(value: string): string[] {
  const forms = [value, Buffer.from(value, 'utf8').toString('base64'), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
  // base64 padding varies with where the value sits in a longer encoded string; the unpadded core still matches.
  forms.push(forms[1].replace(/=+$/, ''));
  return forms;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
