/** Every key the state store writes starts with `baton:` (BullMQ's are `baton:sync:*`). */
export const APPS_KEY = 'baton:apps';
export const EVENTS_KEY = 'baton:events';

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
