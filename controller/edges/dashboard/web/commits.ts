import { useEffect, useState } from 'preact/hooks';
import type { ApiClient } from './api-client.js';
import type { CommitSummary } from '../../api/contract.js';

const cache = new Map<string, Promise<CommitSummary | null>>();

/** A revision's commit, fetched once per page load (commits never change). */
export function useCommit(api: ApiClient, sha: string | null | undefined): CommitSummary | null {
  const [commit, setCommit] = useState<CommitSummary | null>(null);
  useEffect(() => {
    setCommit(null);
    if (!sha || !/^[0-9a-f]{40,64}$/.test(sha)) return;
    let live = true;
    let pending = cache.get(sha);
    if (!pending) {
      pending = api.call('GET /commits/:sha', { params: { sha } }).catch(() => null);
      cache.set(sha, pending);
    }
    void pending.then((c) => live && setCommit(c));
    return () => {
      live = false;
    };
  }, [api, sha]);
  return commit;
}
