import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { examplesRepoDir } from '../../../controller/apps/bundled-paths.js';
import { seedRepository } from '../../../controller/sync/seed-repository.js';
import { git } from '../../support/git-http-server.js';

/**
 * The change the shop's server (examples-repo/services/lib/server.mjs) needs
 * for zero loss, applied to a copy: an upstream call that fails on a kept-alive
 * connection the upstream closed as it began draining (undici's
 * UND_ERR_SOCKET "other side closed", or a reset) is sent again on another
 * connection when it is a GET or HEAD. Through the runtime's TCP service proxy
 * the pooled connection is spliced to the draining pod, so this race between
 * the pod's idle-connection close and the next request cannot be settled by
 * endpoint removal; clients retry, as browsers, curl and the ingress do.
 * A file without the original fetch() call (changed upstream, e.g. fixed there) is left as it is.
 */
export function fixShopServer(text: string): string {
  const call = '    res = await fetch(url, {';
  if (!text.includes(call) || !text.includes('\n/**\n * Calls an upstream service')) return text;
  const helper = `
// A kept-alive connection the upstream closed (it began draining) just as this request reused it:
// an idempotent request is sent again on another connection, as browsers and curl do.
const STALE_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
async function fetchRetryingStale(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      const idempotent = init.method === 'GET' || init.method === 'HEAD';
      if (!idempotent || attempt >= 3 || init.signal?.aborted || !STALE_CONNECTION.has(err.cause?.code)) throw err;
    }
  }
}

/**
 * Calls an upstream service`;
  return text.replace(call, '    res = await fetchRetryingStale(url, {').replace('\n/**\n * Calls an upstream service', helper);
}

/**
 * Seeds `<stateDir>/repo` as `baton up` would, then commits the fixed server,
 * so the shop's first sync already runs it.
 */
export async function seedWithFixedServer(stateDir: string): Promise<void> {
  const repo = join(stateDir, 'repo');
  await seedRepository(examplesRepoDir(), repo);
  const file = join(repo, 'services/lib/server.mjs');
  const text = await readFile(file, 'utf8');
  const fixed = fixShopServer(text);
  if (fixed === text) return;
  await writeFile(file, fixed);
  await git(repo, 'commit', '-qam', 'server.mjs: resend an idempotent upstream call whose kept-alive connection was closed under it');
}
