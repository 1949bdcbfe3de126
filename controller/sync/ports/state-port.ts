import type { AppStatus } from '../../state/app-status.js';
import type { HealthyManifests, RevisionHistoryEntry } from '../../state/revision-history.js';
import type { StateEventInput } from '../../state/state-event.js';
import type { AppStatusPatch, RecordSyncInput } from '../../state/state-store.js';

/** The part of baton's state a sync reads and writes (a StateStore fits). */
export interface StatePort {
  getApp(name: string): Promise<AppStatus | undefined>;
  /** The manifests of `revision` if they went healthy and are kept, else of the newest healthy revision. */
  getHealthyManifests(name: string, revision?: string): Promise<HealthyManifests | undefined>;
  updateApp(name: string, patch: AppStatusPatch): Promise<boolean>;
  /** A history entry, the status it changes and, for a healthy revision, its manifests, in one write. */
  recordSync(name: string, input: RecordSyncInput): Promise<RevisionHistoryEntry | undefined>;
  publish(event: StateEventInput): Promise<string>;
}
