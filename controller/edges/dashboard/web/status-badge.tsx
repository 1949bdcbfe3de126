import type { HealthStatus, SyncStatus } from '../../api/contract.js';

const SYMBOLS: Record<string, string> = {
  Healthy: '●',
  Synced: '●',
  Progressing: '◐',
  Syncing: '◐',
  Degraded: '✕',
  OutOfSync: '▲',
  Missing: '○',
  Unknown: '?',
};

/** A status word with a symbol, so the state does not rest on colour alone. */
export function StatusBadge({ value, kind }: { value: HealthStatus | SyncStatus; kind: 'health' | 'sync' }) {
  return (
    <span class={`badge badge-${value.toLowerCase()}`} data-kind={kind} data-value={value}>
      <span aria-hidden="true">{SYMBOLS[value] ?? '?'}</span> {value}
    </span>
  );
}
