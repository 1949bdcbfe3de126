import type { Command } from 'commander';
import type { PreviewSummary } from '../../api/contract.js';
import { ApiClient, formatTable, printResult, shortRev, withClientOptions, type ClientFlags } from '../api-client.js';

export function registerPreviews(program: Command): void {
  withClientOptions(program.command('previews').description('list preview environments of open pull/merge requests')).action(async (flags: ClientFlags) => {
    const client = await ApiClient.fromFlags('baton previews', flags);
    const previews = await client.call('GET /previews');
    printResult(flags, previews, previewsTable);
  });
}

function previewsTable(previews: PreviewSummary[]): string {
  if (previews.length === 0) return 'no previews (none is open)';
  return formatTable(
    ['NAME', 'APP', 'REQUEST', 'NAMESPACE', 'REVISION', 'SYNC', 'HEALTH', 'URL'],
    previews.map((p) => [p.name, p.app, `#${p.number}`, p.namespace, shortRev(p.revision), p.syncStatus, p.health, p.url ?? '-']),
  );
}
