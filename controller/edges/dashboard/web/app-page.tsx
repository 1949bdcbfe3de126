import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api-client.js';
import type { AppDetail, RevisionHistoryEntry } from '../../api/contract.js';
import { AppActions } from './app-actions.js';
import { DiffView } from './diff-view.js';
import { failureReason } from './failure-reason.js';
import { ago, localTime, shortSha } from './format.js';
import { HistoryTable } from './history-table.js';
import { PodLogs } from './pod-logs.js';
import { ResourceTree } from './resource-tree.js';
import { RevisionLabel } from './revision-label.js';
import { appHref } from './route.js';
import { useSession } from './session.js';
import { StatusBadge } from './status-badge.js';
import { useNow } from './use-store.js';

const TABS = [
  ['objects', 'Objects'],
  ['diff', 'Diff'],
  ['history', 'History'],
  ['logs', 'Logs'],
] as const;

export function AppPage({ name, tab }: { name: string; tab: string }) {
  const session = useSession();
  const now = useNow();
  const [app, setApp] = useState<AppDetail | null>(null);
  const [history, setHistory] = useState<RevisionHistoryEntry[]>([]);
  const [error, setError] = useState<{ status: number; message: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    try {
      const [detail, entries] = await Promise.all([
        session.api.call('GET /apps/:name', { params: { name } }),
        session.api.call('GET /apps/:name/history', { params: { name }, query: { limit: 50 } }),
      ]);
      setApp(detail);
      setHistory(entries);
      setError(null);
    } catch (err) {
      setError({ status: err instanceof ApiError ? err.status : 0, message: (err as Error).message });
    }
  }, [session.api, name]);

  useEffect(() => {
    document.title = `${name} · baton`;
    heading.current?.focus();
  }, [name]);

  useEffect(() => {
    void load();
    // Several events come per sync: one reload a little after the burst.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 150);
    };
    // A commit that leaves the app as it was says so once for its whole repository: the newest commit moved.
    const offEvent = session.onEvent((e) => {
      if (e.app === name || e.type === 'repository.observed') soon();
    });
    const offResubscribe = session.onResubscribe(soon);
    return () => {
      clearTimeout(timer);
      offEvent();
      offResubscribe();
    };
  }, [load, session, name]);

  if (error && !app) {
    return (
      <section>
        <h1 ref={heading} tabIndex={-1}>
          {name}
        </h1>
        <p role="alert" class="error">
          {error.status === 404 ? `There is no application named “${name}”.` : `Could not load ${name}: ${error.message}`}
        </p>
        <a href="#/apps">All applications</a>
      </section>
    );
  }
  const failure = app && failureReason(app, history);
  const current = TABS.some(([id]) => id === tab) ? tab : 'objects';
  return (
    <section aria-labelledby="app-title">
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <a href="#/apps">Applications</a> / <span aria-current="page">{name}</span>
      </nav>
      <div class="page-head">
        <h1 id="app-title" ref={heading} tabIndex={-1}>
          {name}
        </h1>
        {app && (
          <span class="statuses" data-app={name} data-sync={app.syncStatus} data-health={app.health} data-revision={app.revision ?? ''}>
            <span data-col="sync">
              <StatusBadge kind="sync" value={app.syncStatus} />
            </span>{' '}
            <span data-col="health">
              <StatusBadge kind="health" value={app.health} />
            </span>
          </span>
        )}
      </div>
      {app && (
        <>
          <dl class="facts">
            <div>
              <dt>Revision</dt>
              <dd data-field="revision">
                <RevisionLabel revision={app.revision} />
              </dd>
            </div>
            {app.observedRevision && app.observedRevision !== app.revision && (
              <div>
                <dt>Newest commit</dt>
                <dd>
                  <RevisionLabel revision={app.observedRevision} />
                </dd>
              </div>
            )}
            <div>
              <dt>Namespace</dt>
              <dd>
                {app.namespace} <span class="muted">on {app.cluster}</span>
              </dd>
            </div>
            <div>
              <dt>Last sync</dt>
              <dd>
                <time dateTime={app.lastSync ?? undefined} title={localTime(app.lastSync)}>
                  {ago(app.lastSync, now)}
                </time>
                {app.pendingSync && <span class="muted"> · a sync is {app.pendingSync === 'active' ? 'running' : app.pendingSync}</span>}
              </dd>
            </div>
            {app.pinnedRevision && (
              <div>
                <dt>Pinned</dt>
                <dd>to {shortSha(app.pinnedRevision)} by a rollback, until the next Sync</dd>
              </div>
            )}
          </dl>
          {app.sourceMessage && (
            <p class="message bad" data-source-message>
              {app.sourceMessage}
            </p>
          )}
          {app.message && !failure?.current && <p class="message">{app.message}</p>}
          <AppActions app={app} history={history} />
          {failure && (
            <section class={failure.current ? 'failure' : 'failure past'} aria-labelledby="failure-title" data-failure={failure.current ? 'current' : 'past'}>
              <h2 id="failure-title">{failure.current ? `Why ${name} is ${app.health === 'Degraded' ? 'Degraded' : 'not synced'}` : 'Last failure'}</h2>
              <p class="headline">{failure.headline}</p>
              <pre class="failure-detail">{failure.detail}</pre>
              {failure.at && <p class="muted">at {localTime(failure.at)}</p>}
            </section>
          )}
        </>
      )}
      <nav class="tabs" aria-label={`${name} views`}>
        {TABS.map(([id, label]) => (
          <a key={id} href={appHref(name, id)} aria-current={current === id ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <div class="tab-body">
        {current === 'objects' && <ResourceTree name={name} />}
        {current === 'diff' && <DiffView name={name} lastSync={history[0]} />}
        {current === 'history' && <HistoryTable history={history} />}
        {current === 'logs' && <PodLogs name={name} />}
      </div>
    </section>
  );
}
