import { initialAppStatus, type AppStatus } from '../../../controller/state/app-status.js';
import type { HealthyManifests, RevisionHistoryEntry } from '../../../controller/state/revision-history.js';
import type { StateEventInput } from '../../../controller/state/state-event.js';
import type { AppStatusPatch, RecordSyncInput } from '../../../controller/state/state-store.js';
import type { StatePort } from '../../../controller/sync/ports/state-port.js';

/** One write the sync made, in order. */
export type StateWrite = { op: 'update'; app: string; patch: AppStatusPatch } | { op: 'record'; app: string; input: RecordSyncInput };

/** The StatePort in memory: statuses, history (newest first), kept healthy manifests (newest first), events, and every write. */
export class FakeState implements StatePort {
  readonly apps = new Map<string, AppStatus>();
  readonly history = new Map<string, RevisionHistoryEntry[]>();
  readonly healthy = new Map<string, HealthyManifests[]>();
  readonly events: StateEventInput[] = [];
  readonly writes: StateWrite[] = [];

  /** Registers an app as the controller does (Unknown, never synced), with `status` over it. */
  addApp(name: string, status: Partial<AppStatus> = {}): AppStatus {
    const app = { ...initialAppStatus({ name, namespace: name, cluster: 'local' }), ...status };
    this.apps.set(name, app);
    return app;
  }

  /** Keeps manifests as a healthy sync of `revision` would have. */
  keepHealthy(name: string, manifests: Omit<HealthyManifests, 'recordedAt'>): void {
    const list = (this.healthy.get(name) ?? []).filter((m) => m.revision !== manifests.revision);
    this.healthy.set(name, [{ ...structuredClone(manifests), recordedAt: new Date(0).toISOString() }, ...list]);
  }

  status(name: string): AppStatus {
    const app = this.apps.get(name);
    if (!app) throw new Error(`fake state: no app ${name}`);
    return app;
  }

  async getApp(name: string): Promise<AppStatus | undefined> {
    const app = this.apps.get(name);
    return app && structuredClone(app);
  }

  async getHealthyManifests(name: string, revision?: string): Promise<HealthyManifests | undefined> {
    const list = this.healthy.get(name) ?? [];
    const kept = revision === undefined ? list[0] : list.find((m) => m.revision === revision);
    return kept && structuredClone(kept);
  }

  async updateApp(name: string, patch: AppStatusPatch): Promise<boolean> {
    this.writes.push({ op: 'update', app: name, patch: structuredClone(patch) });
    if (!this.apps.has(name)) return false;
    this.patch(name, patch);
    this.events.push({ type: 'app.updated', app: name, data: patch });
    return true;
  }

  async recordSync(name: string, input: RecordSyncInput): Promise<RevisionHistoryEntry | undefined> {
    this.writes.push({ op: 'record', app: name, input: structuredClone(input) });
    if (!this.apps.has(name)) return undefined;
    const list = this.history.get(name) ?? [];
    const entry = { id: list.length + 1, ...input.entry };
    this.history.set(name, [entry, ...list]);
    this.patch(name, input.status ?? {});
    if (input.healthy) this.keepHealthy(name, input.healthy);
    this.events.push({ type: 'sync.recorded', app: name, data: { entry, status: input.status } });
    return entry;
  }

  async publish(event: StateEventInput): Promise<string> {
    this.events.push(structuredClone(event));
    return `${this.events.length}-0`;
  }

  /** The types of the events published so far, in order. */
  eventTypes(): string[] {
    return this.events.map((e) => e.type);
  }

  private patch(name: string, patch: AppStatusPatch): void {
    const app = this.status(name) as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) delete app[field];
      else app[field] = structuredClone(value);
    }
  }
}
