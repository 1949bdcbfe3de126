import type { CommitInfo } from '../../source/repository.js';
import type { SourcePoller } from '../../source/source-poller.js';
import type { CommitSummary } from './contract.js';

const KEEP = 1000;

/**
 * A `commitInfo` provider for the REST API: looks a revision up in the mirror
 * of each repository the poller follows. Commits never change, so answers
 * (found ones only) are kept, the oldest dropped past a thousand.
 */
export function commitLookup(sources: Pick<SourcePoller, 'list' | 'repository'>): (sha: string) => Promise<CommitSummary | undefined> {
  const known = new Map<string, CommitSummary>();
  return async (sha) => {
    const hit = known.get(sha);
    if (hit) return hit;
    for (const { id } of sources.list()) {
      const info: CommitInfo | undefined = await sources
        .repository(id)
        ?.commitInfo(sha)
        .catch(() => undefined);
      if (!info) continue;
      const summary = { sha: info.sha, message: info.message, author: info.author, time: info.time.toISOString() };
      known.set(sha, summary);
      if (known.size > KEEP) known.delete(known.keys().next().value!);
      return summary;
    }
    return undefined;
  };
}
