import type { ApiClient } from './api-client.js';
import { ApiError } from './api-client.js';
import type { AppSummary, StateEvent } from '../../api/contract.js';
import { applyAppEvent } from './apply-app-event.js';

type Listener = () => void;

/**
 * Every app the controller knows, kept current from the event stream. Many
 * events may arrive at once (a commit touching a thousand apps); listeners
 * are told once per animation frame at most.
 */
export class AppsStore {
  readonly apps = new Map<string, AppSummary>();
  loaded = false;
  error: string | null = null;
  private readonly listeners = new Set<Listener>();
  private scheduled = false;
  private loading: Promise<void> | undefined;

  constructor(private readonly api: ApiClient) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The whole list again (on start and after each (re)subscription, so a gap in events cannot leave it stale). */
  reload(answer?: Promise<AppSummary[]>): Promise<void> {
    this.loading ??= (async () => {
      try {
        const list = await (answer ?? this.api.call('GET /apps'));
        this.apps.clear();
        for (const app of list) this.apps.set(app.name, app);
        this.loaded = true;
        this.error = null;
      } catch (err) {
        this.error = (err as Error).message;
      } finally {
        this.loading = undefined;
        this.changed();
      }
    })();
    return this.loading;
  }

  apply(event: StateEvent): void {
    const effect = applyAppEvent(this.apps, event);
    if (effect === 'changed') this.changed();
    else if (effect === 'fetch' && event.app) void this.fetchOne(event.app);
  }

  private async fetchOne(name: string): Promise<void> {
    try {
      const app = await this.api.call('GET /apps/:name', { params: { name } });
      const { name: n, namespace, cluster, revision, syncStatus, health, message, lastSync } = app;
      this.apps.set(name, { name: n, namespace, cluster, revision, syncStatus, health, message, lastSync });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.apps.delete(name);
    }
    this.changed();
  }

  private changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}
