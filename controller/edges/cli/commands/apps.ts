import type { Command } from 'commander';
import type { AppSummary } from '../../api/contract.js';
import { ago, ApiClient, firstLine, formatTable, printResult, shortRev, withClientOptions, type ClientFlags } from '../api-client.js';

export function registerApps(program: Command): void {
  withClientOptions(program.command('apps').description('list the apps baton syncs, with their sync status and health')).action(async (flags: ClientFlags) => {
    const client = await ApiClient.fromFlags('baton apps', flags);
    const apps = await client.call('GET /apps');
    printResult(flags, apps, appsTable);
  });
}

function appsTable(apps: AppSummary[]): string {
  if (apps.length === 0) return 'no apps yet (baton has not read a baton.yaml)';
  return formatTable(
    ['NAME', 'NAMESPACE', 'CLUSTER', 'REVISION', 'SYNC', 'HEALTH', 'LAST SYNC', 'MESSAGE'],
    apps.map((a) => [a.name, a.namespace, a.cluster, shortRev(a.revision), a.syncStatus, a.health, ago(a.lastSync), message(a)]),
  );
}

/** The repository's trouble first (it explains why nothing new deploys), then the app's own message. */
function message(a: AppSummary): string {
  return [a.sourceMessage ? firstLine(a.sourceMessage, 90) : '', firstLine(a.message, 60)].filter(Boolean).join('; ');
}
