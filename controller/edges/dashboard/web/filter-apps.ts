import type { AppSummary } from '../../api/contract.js';

export interface AppFilter {
  /** Part of the name or namespace, any case. */
  text: string;
  sync: string;
  health: string;
  namespace: string;
}

export function filterFromQuery(query: URLSearchParams): AppFilter {
  return { text: query.get('q') ?? '', sync: query.get('sync') ?? '', health: query.get('health') ?? '', namespace: query.get('ns') ?? '' };
}

export function filterApps(apps: Iterable<AppSummary>, filter: AppFilter): AppSummary[] {
  const text = filter.text.trim().toLowerCase();
  const out: AppSummary[] = [];
  for (const app of apps) {
    if (filter.sync && app.syncStatus !== filter.sync) continue;
    if (filter.health && app.health !== filter.health) continue;
    if (filter.namespace && app.namespace !== filter.namespace) continue;
    if (text && !app.name.toLowerCase().includes(text) && !app.namespace.toLowerCase().includes(text)) continue;
    out.push(app);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** How many apps have each value of `key`, for the filter menus. */
export function countBy(apps: Iterable<AppSummary>, key: 'syncStatus' | 'health' | 'namespace'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const app of apps) counts.set(app[key], (counts.get(app[key]) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
