import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { PreviewSummary } from '../../api/contract.js';
import { ago, localTime, shortSha } from './format.js';
import { useSession } from './session.js';
import { StatusBadge } from './status-badge.js';
import { useNow } from './use-store.js';

const REFRESH_MS = 10_000;

/** Each open pull/merge request's preview environment. */
export function PreviewsPage() {
  const session = useSession();
  const now = useNow();
  const [previews, setPreviews] = useState<PreviewSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = useRef(new Set<string>());

  const load = useCallback(async () => {
    try {
      const list = await session.api.call('GET /previews');
      names.current = new Set(list.map((p) => p.name));
      setPreviews(list);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [session.api]);

  useEffect(() => {
    document.title = 'Previews · baton';
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    const off = session.onEvent((e) => {
      if (e.type.startsWith('preview') || (e.app && names.current.has(e.app))) void load();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [load, session]);

  return (
    <section aria-labelledby="previews-title">
      <h1 id="previews-title">Previews</h1>
      {error && (
        <p role="alert" class="error">
          Could not load the previews: {error}
        </p>
      )}
      {previews && previews.length === 0 && <p class="empty">No open previews: a pull or merge request to a repository with previews enabled gets one.</p>}
      {previews && previews.length > 0 && (
        <table class="previews">
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Author</th>
              <th scope="col">Head</th>
              <th scope="col">URL</th>
              <th scope="col">Health</th>
              <th scope="col">Age</th>
            </tr>
          </thead>
          <tbody>
            {previews.map((p) => (
              <tr key={p.name} data-preview={p.name}>
                <th scope="row">
                  {p.requestUrl ? (
                    <a href={p.requestUrl} rel="noreferrer">
                      #{p.number}
                    </a>
                  ) : (
                    `#${p.number}`
                  )}{' '}
                  {p.title ?? ''}
                  <div class="muted">
                    {p.app} in {p.namespace}
                    {p.repository ? ` · ${p.repository}` : ''}
                    {p.fromFork ? ' · from a fork' : ''}
                  </div>
                </th>
                <td>{p.author ?? '—'}</td>
                <td>
                  {p.branch && <span>{p.branch} </span>}
                  <code>{shortSha(p.headSha ?? p.revision)}</code>
                </td>
                <td>{p.url ? <a href={p.url}>{p.url}</a> : <span class="muted">none yet</span>}</td>
                <td>
                  <StatusBadge kind="health" value={p.health} /> <StatusBadge kind="sync" value={p.syncStatus} />
                </td>
                <td>
                  <time dateTime={p.openedAt} title={localTime(p.openedAt)}>
                    {p.openedAt ? ago(p.openedAt, now).replace(' ago', '') : '—'}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!previews && !error && <p class="muted">loading…</p>}
    </section>
  );
}
