/** The BullMQ queue every sync goes through. */
export const SYNC_QUEUE_NAME = 'sync';

/** BullMQ keys become `baton:sync:*`, next to the state store's `baton:*` keys. */
export const QUEUE_PREFIX = 'baton';

/**
 * Per-app hash beside BullMQ's keys: `latest` (the newest request, JSON),
 * `latestSeq` and `servedSeq` (the newest request a finished sync covered).
 */
export function appRequestKey(app: string): string {
  return `baton:queue:app:${app}`;
}

/** Counter giving every request its `seq`. */
export const REQUEST_SEQ_KEY = 'baton:queue:seq';

/**
 * Pub/sub channel on which a sync is called off (JSON `{app, reason}`): every
 * worker, in any process, listens and aborts the app's running sync.
 */
export const CANCEL_CHANNEL = 'baton:queue:cancel';
