import { useState } from 'preact/hooks';
import type { AppDetail, RevisionHistoryEntry } from '../../api/contract.js';
import { localTime, shortSha } from './format.js';
import { useSession } from './session.js';

/** Sync and Rollback, shown to deploy tokens only (the API refuses read-only ones anyway). */
export function AppActions({ app, history }: { app: AppDetail; history: RevisionHistoryEntry[] }) {
  const { api, role } = useSession();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [target, setTarget] = useState('');
  if (role !== 'deploy') return null;

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setNote(null);
    try {
      setNote({ text: await what(), error: false });
      setChoosing(false);
    } catch (err) {
      setNote({ text: (err as Error).message, error: true });
    } finally {
      setBusy(false);
    }
  };
  const sync = () =>
    run(async () => {
      const r = await api.call('POST /apps/:name/sync', { params: { name: app.name } });
      return `Sync to ${shortSha(r.revision)} queued${r.unpinned ? ' (the rollback pin is cleared)' : ''}.`;
    });
  const rollback = () =>
    run(async () => {
      const r = await api.call('POST /apps/:name/rollback', { params: { name: app.name }, body: target ? { revision: target } : {} });
      return `Rollback to ${shortSha(r.revision)} queued; the app stays there until the next Sync.`;
    });

  // Revisions that went live healthy, newest first, other than the live one.
  const candidates = [...new Map(history.filter((h) => h.result === 'Succeeded' && h.revision !== app.revision).map((h) => [h.revision, h])).values()];
  return (
    <div class="actions">
      <button type="button" class="primary" disabled={busy} onClick={sync}>
        Sync
      </button>
      <button type="button" disabled={busy} aria-expanded={choosing} aria-controls="rollback-panel" onClick={() => setChoosing(!choosing)}>
        Rollback…
      </button>
      {choosing && (
        <form
          id="rollback-panel"
          class="rollback-panel"
          aria-label="Rollback"
          onSubmit={(e) => {
            e.preventDefault();
            void rollback();
          }}
        >
          <label>
            Roll back to
            <select value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
              <option value="">the previous healthy revision</option>
              {candidates.map((h) => (
                <option key={h.revision} value={h.revision}>
                  {shortSha(h.revision)}, live since {localTime(h.finishedAt)} ({h.trigger})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="danger" disabled={busy}>
            Roll back
          </button>
          <button type="button" onClick={() => setChoosing(false)}>
            Cancel
          </button>
        </form>
      )}
      <p class={note?.error ? 'note error' : 'note'} role="status" aria-live="polite">
        {note?.text ?? ''}
      </p>
    </div>
  );
}
