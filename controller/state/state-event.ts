/**
 * A change baton announces, for the dashboard's server-sent events. The
 * store emits `app.registered`, `app.updated` (data: the changed fields),
 * `app.deleted` and `sync.recorded` (data: {entry, status}); other parts
 * publish their own types (e.g. `sync.started`).
 */
export interface StateEvent {
  /** Stream id ("<ms>-<n>"), increasing; pass it as `after` to resume (SSE Last-Event-ID). */
  id: string;
  type: string;
  app?: string;
  /** ISO 8601. */
  time: string;
  data?: unknown;
}

export type StateEventInput = Omit<StateEvent, 'id' | 'time'> & { time?: string };

export type StateEventListener = (event: StateEvent) => void;

export interface StateSubscription {
  /** Stops delivery; resolves once the reader has stopped. */
  close(): Promise<void>;
}
