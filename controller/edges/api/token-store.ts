import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { knownSecrets } from '../../censor/known-secrets.js';

/** `deploy` may read and change (sync, rollback); `read-only` may only read (README's spelling, also what `whoami` says). */
export type ApiRole = 'deploy' | 'read-only';

/** A role name as given by people or older clients: `readonly` and `read_only` still mean `read-only`. */
export function parseRole(name: string): ApiRole | undefined {
  const n = name.trim().toLowerCase();
  if (n === 'deploy') return 'deploy';
  return ['read-only', 'readonly', 'read_only'].includes(n) ? 'read-only' : undefined;
}

/** The two tokens, keyed as in code (`readonly` is the read-only role's). */
export interface ApiTokens {
  deploy: string;
  readonly: string;
}

/** The files in the state dir holding each role's token. */
export const TOKEN_FILES: Record<keyof ApiTokens, string> = { deploy: 'api-token', readonly: 'api-token-readonly' };

/** The REST API's two bearer tokens. */
export class TokenStore {
  private readonly digests: [ApiRole, Buffer][];

  constructor(readonly tokens: ApiTokens) {
    for (const [role, token] of Object.entries(tokens)) {
      if (!token) throw new Error(`the ${role} API token is empty`);
    }
    this.digests = [
      ['deploy', digest(tokens.deploy)],
      ['read-only', digest(tokens.readonly)],
    ];
  }

  /**
   * The tokens in `<stateDir>/api-token` and `<stateDir>/api-token-readonly`;
   * a missing file is made with a new random token, readable by its owner only.
   */
  static async loadOrCreate(stateDir: string): Promise<TokenStore> {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const tokens = {
      deploy: await loadOrCreateToken(join(stateDir, TOKEN_FILES.deploy)),
      readonly: await loadOrCreateToken(join(stateDir, TOKEN_FILES.readonly)),
    };
    // Invariant 5: a token that ends up in a log line is censored there.
    knownSecrets.add(tokens.deploy);
    knownSecrets.add(tokens.readonly);
    return new TokenStore(tokens);
  }

  /** The role `token` grants, or undefined. Compares digests in constant time, so timing tells nothing of a token. */
  roleOf(token: string): ApiRole | undefined {
    const given = digest(token);
    let role: ApiRole | undefined;
    for (const [candidate, expected] of this.digests) {
      if (timingSafeEqual(given, expected) && role === undefined) role = candidate;
    }
    return role;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

async function loadOrCreateToken(file: string): Promise<string> {
  try {
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const token = (await readFile(file, 'utf8')).trim();
  if (!token) throw new Error(`${file} is empty; delete it and baton makes a new token on its next start`);
  return token;
}
