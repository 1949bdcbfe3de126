import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientFlags } from '../api-client.js';

interface LogsFlags extends ClientFlags {
  tail: string;
  container?: string;
}

export function registerLogs(program: Command): void {
  withClientOptions(program.command('logs <name>').description("print the last lines of the logs of an app's pods"))
    .option('--tail <lines>', 'lines from the end of each container log', '100')
    .option('-c, --container <name>', 'only this container')
    .action(async (name: string, flags: LogsFlags) => {
      const client = await ApiClient.fromFlags('baton logs', flags);
      const query = new URLSearchParams({ tail: flags.tail, ...(flags.container ? { container: flags.container } : {}) });
      const text = await client.getText(`/api/v1/apps/${encodeURIComponent(name)}/logs?${query}`);
      process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    });
}
