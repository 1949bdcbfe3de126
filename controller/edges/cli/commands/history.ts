import type { Command } from 'commander';
import type { RevisionHistoryEntry } from '../../api/contract.js';
import { ApiClient, firstLine, formatTable, printResult, shortRev, withClientOptions, type ClientFlags } from '../api-client.js';

interface HistoryFlags extends ClientFlags {
  limit?: string;
}

export function registerHistory(program: Command): void {
  withClientOptions(program.command('history <name>').description("list an app's syncs, newest first"))
    .option('--limit <n>', 'at most this many entries')
    .action(async (name: string, flags: HistoryFlags) => {
      const client = await ApiClient.fromFlags('baton history', flags);
      const entries = await client.call('GET /apps/:name/history', { params: { name }, query: { limit: flags.limit } });
      printResult(flags, entries, (list) => historyTable(name, list));
    });
}

function historyTable(name: string, entries: RevisionHistoryEntry[]): string {
  if (entries.length === 0) return `${name} has not been synced yet`;
  return formatTable(
    ['ID', 'REVISION', 'RESULT', 'TRIGGER', 'FINISHED', 'DURATION', 'PRUNED', 'MESSAGE'],
    entries.map((e) => [String(e.id), shortRev(e.revision), e.result, e.trigger, e.finishedAt, `${(e.durationMs / 1000).toFixed(1)}s`, prunedCell(e), firstLine(e.message, 60)]),
  );
}

/** What the sync deleted: `-`, or the first objects as `Kind/name` and how many more (`--output json` has them all). */
function prunedCell(entry: RevisionHistoryEntry): string {
  const pruned = entry.pruned ?? [];
  if (pruned.length === 0) return '-';
  const shown = pruned.slice(0, 2).map((o) => `${o.kind}/${o.name}`);
  return pruned.length > 2 ? `${shown.join(',')} +${pruned.length - 2}` : shown.join(',');
}
