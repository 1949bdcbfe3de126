import type { AppSummary, StateEvent } from '../../api/contract.js';

const SUMMARY_FIELDS = ['namespace', 'cluster', 'revision', 'syncStatus', 'health', 'message', 'lastSync', 'sourceMessage'] as const;
/** Fields whose "nothing to say" is '' rather than null. */
const TEXT_FIELDS: ReadonlySet<string> = new Set(['message', 'sourceMessage']);

/** What an event asks of the list: nothing, a re-render, or a fetch of the app (its entry is not in the event). */
export type EventEffect = 'none' | 'changed' | 'fetch';

/**
 * Applies one state event to the list of apps in place. `app.updated` and
 * `sync.recorded` carry the changed status fields; `app.registered` carries
 * none, so the app is fetched.
 */
export function applyAppEvent(apps: Map<string, AppSummary>, event: StateEvent): EventEffect {
  const name = event.app;
  if (!name) return 'none';
  switch (event.type) {
    case 'app.deleted':
      return apps.delete(name) ? 'changed' : 'none';
    case 'app.registered':
      return 'fetch';
    case 'app.updated':
    case 'sync.recorded': {
      const data = event.data as Record<string, unknown> | null | undefined;
      const patch = (event.type === 'sync.recorded' && data && 'entry' in data ? data.status : data) as Record<string, unknown> | null | undefined;
      const app = apps.get(name);
      if (!app) return 'fetch';
      if (!patch) return 'none';
      let changed = false;
      const target = app as unknown as Record<string, unknown>;
      for (const field of SUMMARY_FIELDS) {
        if (!(field in patch)) continue;
        const value = patch[field] ?? (TEXT_FIELDS.has(field) ? '' : null);
        if (target[field] !== value) {
          target[field] = value;
          changed = true;
        }
      }
      if (changed) apps.set(name, { ...app });
      return changed ? 'changed' : 'none';
    }
    default:
      return 'none';
  }
}
