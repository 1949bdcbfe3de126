export { initialAppStatus, type AppStatus } from './app-status.js';
export type { HealthyManifests, RevisionHistoryEntry } from './revision-history.js';
export type { StateEvent, StateEventInput, StateEventListener, StateSubscription } from './state-event.js';
export { StateStore, type AppStatusPatch, type RecordSyncInput, type StateStoreOptions } from './state-store.js';
