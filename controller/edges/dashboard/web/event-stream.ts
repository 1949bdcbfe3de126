import type { ApiClient } from './api-client.js';
import { ApiError } from './api-client.js';
import type { StateEvent } from '../../api/contract.js';
import { SseParser } from './sse-parser.js';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface EventStreamHandlers {
  onEvent(event: StateEvent): void;
  /** Everything published from now on will arrive: reload what the page shows. */
  onSubscribed(): void;
  onState(state: StreamState): void;
}

/**
 * Follows `GET /api/v1/events` with fetch() (so the token travels in the
 * Authorization header), reconnecting after the server's `retry:` delay and
 * resuming from the last id seen. Returns a function that stops it.
 */
export function followEvents(api: ApiClient, handlers: EventStreamHandlers): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let retryMs = 3000;

  const once = async (): Promise<void> => {
    const res = await api.send('GET', '/api/v1/events', undefined, abort.signal, { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const item of parser.push(value)) {
        if (item.kind === 'retry') retryMs = item.ms;
        else if (item.kind === 'comment') {
          if (item.text === 'subscribed') {
            handlers.onState('live');
            handlers.onSubscribed();
          }
        } else if (item.event === 'error') throw new Error(item.data);
        else {
          if (item.id) lastId = item.id;
          try {
            handlers.onEvent(JSON.parse(item.data) as StateEvent);
          } catch (err) {
            console.error('dashboard: an event could not be handled', err);
          }
        }
      }
    }
  };

  void (async () => {
    handlers.onState('connecting');
    while (!abort.signal.aborted) {
      try {
        await once();
      } catch (err) {
        if (abort.signal.aborted || (err instanceof ApiError && err.status === 401)) return;
      }
      if (abort.signal.aborted) return;
      handlers.onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();
  return () => abort.abort();
}
