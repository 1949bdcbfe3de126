import { readFile } from 'node:fs/promises';
import type { RepositorySpec } from '../apps/app-spec.js';
import { knownSecrets } from '../censor/known-secrets.js';
import { SourceError } from './source-error.js';

export const DEFAULT_TOKEN_ENV = 'BATON_GIT_TOKEN';

export interface RepositoryToken {
  token: string;
  /** Where it came from (`file /x` or `env BATON_GIT_TOKEN`), for messages; never the token. */
  source: string;
}

/**
 * The access token for a repository: `tokenFile` wins over `tokenEnv`
 * (default BATON_GIT_TOKEN). Read on every use so a rotated token is picked up
 * without a restart. Undefined when neither is set.
 */
export async function readRepositoryToken(spec: RepositorySpec, env: NodeJS.ProcessEnv): Promise<RepositoryToken | undefined> {
  if (spec.tokenFile) {
    const text = await readFile(spec.tokenFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new SourceError('INVALID_SPEC', `cannot read the token file ${spec.tokenFile} of repository ${spec.id}: ${err.code ?? err.message}`, { url: spec.id });
    });
    const token = text.trim();
    // A token from a file (or a variable not named BATON_*TOKEN*) is censored wherever it turns up, as BATON_GIT_TOKEN is.
    knownSecrets.add(token);
    if (token) return { token, source: `file ${spec.tokenFile}` };
    return undefined;
  }
  const name = spec.tokenEnv ?? DEFAULT_TOKEN_ENV;
  const token = env[name]?.trim();
  knownSecrets.add(token);
  return token ? { token, source: `env ${name}` } : undefined;
}
