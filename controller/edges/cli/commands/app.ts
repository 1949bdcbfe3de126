import type { Command } from 'commander';
import type { AppDetail } from '../../api/contract.js';
import { ago, ApiClient, printResult, withClientOptions, type ClientFlags } from '../api-client.js';

export function registerApp(program: Command): void {
  withClientOptions(program.command('app <name>').description("show one app's status")).action(async (name: string, flags: ClientFlags) => {
    const client = await ApiClient.fromFlags('baton app', flags);
    const app = await client.call('GET /apps/:name', { params: { name } });
    printResult(flags, app, appText);
  });
}

function appText(a: AppDetail): string {
  const rows: [string, string][] = [
    ['Name', a.name],
    ['Namespace', a.namespace],
    ['Cluster', a.cluster],
    ['Revision', a.revision ?? '(not synced yet)'],
    ['Sync', a.syncStatus],
    ['Health', a.health],
    ['Last sync', a.lastSync ? `${a.lastSync} (${ago(a.lastSync)})` : 'never'],
    ['Newest seen', a.observedRevision ?? '-'],
  ];
  if (a.pinnedRevision) rows.push(['Pinned to', `${a.pinnedRevision} (by a rollback; \`baton sync ${a.name}\` follows the branch again)`]);
  if (a.lastFailedRevision) rows.push(['Last failed', a.lastFailedRevision]);
  if (a.pendingSync) rows.push(['Queued sync', a.pendingSync]);
  if (a.sourceMessage) rows.push(['Source', a.sourceMessage]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const lines = rows.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`);
  if (a.message) lines.push(`${'Message:'.padEnd(width)} ${a.message.split('\n').join(`\n${' '.repeat(width + 1)}`)}`);
  return lines.join('\n');
}
