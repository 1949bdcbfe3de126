/** Every key the state store writes starts with `baton:` (BullMQ's are `baton:sync:*`). */
export const APPS_KEY = 'baton:apps';
export const EVENTS_KEY = 'baton:events';
/** Which repository declares each branch app: `app` → repository id (SyncRegistry writes it). */
export const APP_REPOS_KEY = 'baton:app-repos';
/**
 * Per repository, the newest commit every one of its apps was planned at: `id` → `{revision, seq}`
 * (JSON). An app whose inputs did not change is not written on each commit; this one field stands
 * for their `observedRevision` (StateStore.markObserved).
 */
export const OBSERVED_KEY = 'baton:observed';
/** Orders writes of `observedRevision`: an app's own (its `observedSeq`) against its repository's mark. */
export const OBSERVED_SEQ_KEY = 'baton:observed-seq';

export function appKeys(app: string) {
  const base = `baton:app:${app}`;
  return {
    status: base,
    history: `${base}:history`,
    historySeq: `${base}:history-seq`,
    healthy: `${base}:healthy`,
    healthyOrder: `${base}:healthy-order`,
  };
}
