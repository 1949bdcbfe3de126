import { useEffect } from 'preact/hooks';
import { StatusBadge } from './status-badge.js';
import { RevisionLabel } from './revision-label.js';
import { countBy, filterApps, filterFromQuery } from './filter-apps.js';
import { ago, localTime } from './format.js';
import { appHref, replaceQuery } from './route.js';
import { useSession } from './session.js';
import { useNow, useStore } from './use-store.js';

/** Rows per page: a thousand apps stay fast because only one page is in the DOM. */
export const PAGE_SIZE = 100;

export function AppsPage({ query }: { query: URLSearchParams }) {
  const session = useSession();
  const store = useStore(session.apps);
  const now = useNow();
  const filter = filterFromQuery(query);
  const all = [...store.apps.values()];
  const shown = filterApps(all, filter);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Number(query.get('page')) || 1));
  const rows = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);

  useEffect(() => {
    document.title = 'Applications · baton';
  }, []);

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    replaceQuery(next);
  };

  const health = countBy(all, 'health');
  return (
    <section aria-labelledby="apps-title">
      <div class="page-head">
        <h1 id="apps-title">Applications</h1>
        <p class="summary" aria-live="polite">
          {store.loaded ? `${all.length} apps` : 'loading…'}
          {[...health].map(([value, n]) => (
            <span key={value}>
              {' · '}
              <button type="button" class="linklike" onClick={() => set('health', filter.health === value ? '' : value)} aria-pressed={filter.health === value}>
                {n} {value}
              </button>
            </span>
          ))}
        </p>
      </div>
      {store.error && (
        <p role="alert" class="error">
          Could not load the applications: {store.error}
        </p>
      )}
      <form class="filters" role="search" aria-label="Filter applications" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" value={filter.text} placeholder="name or namespace" onInput={(e) => set('q', e.currentTarget.value)} />
        </label>
        <FilterSelect label="Sync" value={filter.sync} counts={countBy(all, 'syncStatus')} onChange={(v) => set('sync', v)} />
        <FilterSelect label="Health" value={filter.health} counts={health} onChange={(v) => set('health', v)} />
        <FilterSelect label="Namespace" value={filter.namespace} counts={countBy(all, 'namespace')} onChange={(v) => set('ns', v)} />
      </form>
      <table class="apps" aria-describedby="apps-count">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Namespace</th>
            <th scope="col">Revision</th>
            <th scope="col">Sync</th>
            <th scope="col">Health</th>
            <th scope="col">Last sync</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((app) => (
            <tr key={app.name} data-app={app.name} data-sync={app.syncStatus} data-health={app.health} data-revision={app.revision ?? ''}>
              <th scope="row">
                <a href={appHref(app.name)}>{app.name}</a>
                {app.sourceMessage && (
                  <div class="row-message bad" data-source-message>
                    {app.sourceMessage}
                  </div>
                )}
                {app.message && app.health !== 'Healthy' && <div class={app.health === 'Degraded' ? 'row-message bad' : 'row-message'}>{app.message.split('\n', 1)[0]}</div>}
              </th>
              <td>{app.namespace}</td>
              <td>
                <RevisionLabel revision={app.revision} />
              </td>
              <td data-col="sync">
                <StatusBadge kind="sync" value={app.syncStatus} />
              </td>
              <td data-col="health">
                <StatusBadge kind="health" value={app.health} />
              </td>
              <td>
                <time dateTime={app.lastSync ?? undefined} title={localTime(app.lastSync)}>
                  {ago(app.lastSync, now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {store.loaded && shown.length === 0 && <p class="empty">{all.length === 0 ? 'No applications yet: baton has not read baton.yaml.' : 'No application matches these filters.'}</p>}
      <nav class="pager" aria-label="Pages">
        <span id="apps-count">
          {shown.length === 0 ? 'none shown' : `${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + rows.length} of ${shown.length}`}
        </span>
        <button type="button" disabled={page <= 1} onClick={() => set('page', String(page - 1))}>
          Previous
        </button>
        <span>
          page {page} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => set('page', String(page + 1))}>
          Next
        </button>
      </nav>
    </section>
  );
}

function FilterSelect(props: { label: string; value: string; counts: Map<string, number>; onChange: (value: string) => void }) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">all</option>
        {[...props.counts].map(([value, n]) => (
          <option key={value} value={value}>
            {value} ({n})
          </option>
        ))}
        {props.value && !props.counts.has(props.value) && <option value={props.value}>{props.value} (0)</option>}
      </select>
    </label>
  );
}
