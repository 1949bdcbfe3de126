import type { RevisionHistoryEntry } from '../../api/contract.js';
import { duration, localTime } from './format.js';
import { RevisionLabel } from './revision-label.js';

const RESULT_CLASS: Record<RevisionHistoryEntry['result'], string> = { Succeeded: 'ok', Failed: 'bad', RolledBack: 'bad' };

/** Finished syncs, newest first, with how long each took and how it ended. */
export function HistoryTable({ history }: { history: RevisionHistoryEntry[] }) {
  if (history.length === 0) return <p class="empty">No sync has finished yet.</p>;
  return (
    <table class="history">
      <caption class="visually-hidden">Sync history, newest first</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Revision</th>
          <th scope="col">Result</th>
          <th scope="col">Trigger</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {history.map((h) => (
          <tr key={h.id} data-history={h.id}>
            <td>{h.id}</td>
            <td>
              <RevisionLabel revision={h.revision} />
            </td>
            <td class={RESULT_CLASS[h.result]}>{h.result}</td>
            <td>{h.trigger}</td>
            <td>
              <time dateTime={h.startedAt}>{localTime(h.startedAt)}</time>
            </td>
            <td>{duration(h.durationMs)}</td>
            <td class="history-message">{h.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
