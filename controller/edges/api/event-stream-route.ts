import { censorValue } from '../../censor/censor.js';
import type { StateEvent, StateSubscription } from '../../state/state-event.js';
import type { ControllerApiDeps } from './api-deps.js';
import type { ApiHandler } from './api-route.js';
import { eventsQuery, parseInput } from './request-schemas.js';

const REPLAY_PAGE = 1000;

/**
 * `GET /api/v1/events`: server-sent events from the state store's event
 * stream. Each message carries the StateEvent as JSON in `data` (no `event:`
 * name, so EventSource's onmessage sees them all) and its id in `id`. A client
 * that reconnects with Last-Event-ID (or `?after=`) first gets what it
 * missed; `?app=NAME` keeps only that app's events and app-less ones. A
 * comment line every heartbeat keeps idle connections open.
 */
export function eventStreamRoute(deps: Pick<ControllerApiDeps, 'state' | 'heartbeatMs'>): ApiHandler<'GET /events'> {
  return async (req, res) => {
    const query = parseInput(eventsQuery, req.query, 'query');
    const lastEventId = req.get('last-event-id');
    const after = validId(lastEventId) ? lastEventId : query.after;
    const wanted = (e: StateEvent) => !query.app || !e.app || e.app === query.app;

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 3000\n\n');

    let closed = false;
    let subscription: StateSubscription | undefined;
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs ?? 15_000);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      void subscription?.close();
    };
    res.on('close', close);
    const send = (e: StateEvent) => {
      if (!closed && wanted(e)) res.write(`id: ${e.id}\ndata: ${JSON.stringify(censorValue(e))}\n\n`);
    };

    try {
      let last = after;
      if (last !== undefined) {
        // Replay in pages; then subscribe after the last replayed id, so nothing falls in between.
        for (;;) {
          const page = await deps.state.readEvents({ after: last, count: REPLAY_PAGE });
          for (const e of page) send(e);
          if (page.length > 0) last = page[page.length - 1].id;
          if (page.length < REPLAY_PAGE || closed) break;
        }
      }
      if (closed) return;
      subscription = await deps.state.subscribe(send, last !== undefined ? { after: last } : {});
      if (closed) await subscription.close();
      // Tells a client that everything published from now on reaches it (`baton sync --wait` asks for a sync only then).
      else res.write(': subscribed\n\n');
    } catch (err) {
      res.write(`event: error\ndata: ${JSON.stringify(censorValue({ error: 'EventStreamError', message: (err as Error).message }))}\n\n`);
      res.end();
      close();
    }
  };
}

function validId(id: string | undefined): id is string {
  return id !== undefined && /^\d+-\d+$/.test(id);
}
