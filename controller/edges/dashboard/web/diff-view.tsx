import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AppDiffAnswer, FieldChange, RevisionHistoryEntry } from '../../api/contract.js';
import { localTime, shortSha } from './format.js';
import { useSession } from './session.js';

const MARKS = { added: '+', changed: '~', removed: '-', unchanged: ' ' } as const;

/** What syncing now would change (the pending sync), or that nothing would, next to the last sync. */
export function DiffView({ name, lastSync }: { name: string; lastSync: RevisionHistoryEntry | undefined }) {
  const session = useSession();
  const [diff, setDiff] = useState<AppDiffAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDiff(await session.api.call('GET /apps/:name/diff', { params: { name } }));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [session.api, name]);

  useEffect(() => {
    void load();
    return session.onEvent((e) => {
      if (e.app === name && (e.type === 'sync.recorded' || e.type === 'app.updated')) void load();
    });
  }, [load, session, name]);

  const last = lastSync && (
    <p class="muted">
      Last sync: {shortSha(lastSync.revision)} {lastSync.result.toLowerCase()} at {localTime(lastSync.finishedAt)} ({lastSync.trigger}).
    </p>
  );
  if (error) return <>
      <p class="error" role="alert">Could not work out the diff: {error}</p>
      {last}
    </>;
  if (!diff) return <p class="muted">Rendering and comparing…</p>;
  const changed = diff.objects.filter((o) => o.action !== 'unchanged');
  return (
    <div>
      {diff.inSync ? (
        <p class="ok">In sync: the live objects equal revision {shortSha(diff.revision)}; a sync would change nothing.</p>
      ) : (
        <p>
          Pending: syncing to {shortSha(diff.revision)} would add {diff.counts.added}, change {diff.counts.changed} and remove {diff.counts.removed}{' '}
          {diff.counts.added + diff.counts.changed + diff.counts.removed === 1 ? 'object' : 'objects'}.
        </p>
      )}
      {last}
      {changed.length > 0 && (
        <pre class="diff" aria-label="Diff">
          {changed.map((o) => (
            <div key={`${o.kind}/${o.namespace}/${o.name}`} class={`diff-${o.action}`}>
              {MARKS[o.action]} {o.kind} {o.namespace ? `${o.namespace}/` : ''}
              {o.name}
              {o.action === 'removed' ? ' (prune)' : ''}
              {o.changes.map((c) => (
                <div key={c.path} class="diff-change">
                  {'    '}
                  {formatChange(c)}
                </div>
              ))}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}

function formatChange(c: FieldChange): string {
  if (c.redacted) return `${c.path}: (secret value ${c.op === 'add' ? 'added' : 'changed'})`;
  if (c.op === 'add') return `${c.path}: (not set) → ${show(c.desired)}`;
  return `${c.path}: ${show(c.live)} → ${show(c.desired)}`;
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
