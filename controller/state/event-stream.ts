import type { Redis } from 'ioredis';
import type { StateEvent, StateEventListener, StateSubscription } from './state-event.js';

type StreamEntry = [id: string, fields: string[]];

export function decodeEvent(id: string, fields: string[]): StateEvent {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  const event: StateEvent = { id, type: record.type ?? 'unknown', time: record.time ?? new Date(Number(id.split('-')[0])).toISOString() };
  if (record.app) event.app = record.app;
  if (record.data !== undefined) event.data = JSON.parse(record.data);
  return event;
}

/** Events after `after` (exclusive), oldest first: the replay for a reconnecting SSE client. */
export async function readEvents(redis: Redis, key: string, after: string, count: number): Promise<StateEvent[]> {
  const entries = (await redis.xrange(key, `(${after}`, '+', 'COUNT', count)) as StreamEntry[];
  return entries.map(([id, fields]) => decodeEvent(id, fields));
}

/**
 * Delivers every event appended after `after` ('$': after the newest one now)
 * to `listener`, in order, on a connection of its own (XREAD blocks it). A
 * lost connection is retried; delivery resumes where it stopped.
 */
export async function subscribeEvents(redis: Redis, key: string, listener: StateEventListener, after = '$'): Promise<StateSubscription> {
  let last = after;
  if (last === '$') {
    // Pin "now" before returning, so an event published right after subscribe() is not missed.
    const newest = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as StreamEntry[];
    last = newest[0]?.[0] ?? '0-0';
  }
  // Named for what it does: a duplicate would carry the shared connection's name, 'baton-commands'.
  const reader = redis.duplicate({ connectionName: 'baton-events' });
  reader.on('error', () => {});
  let closed = false;
  const done = (async () => {
    while (!closed) {
      try {
        const reply = (await reader.xread('COUNT', 100, 'BLOCK', 5000, 'STREAMS', key, last)) as [string, StreamEntry[]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            if (closed) return;
            try {
              listener(decodeEvent(id, fields));
            } catch {}
          }
        }
      } catch {
        if (!closed) await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    async close() {
      closed = true;
      reader.disconnect();
      await done;
    },
  };
}
