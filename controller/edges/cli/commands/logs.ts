import type { Command } from 'commander';
import { ApiClient, withClientOptions, type ClientFlags } from '../api-client.js';

interface LogsFlags extends ClientFlags {
  tail: string;
  container?: string;
}

/** One container's last lines, as `-o json` prints them. */
export interface ContainerLog {
  namespace: string;
  pod: string;
  container: string;
  lines: string[];
}

export function registerLogs(program: Command): void {
  withClientOptions(program.command('logs <name>').description("print the last lines of the logs of an app's pods"))
    .option('--tail <lines>', 'lines from the end of each container log', '100')
    .option('-c, --container <name>', 'only this container')
    .action(async (name: string, flags: LogsFlags) => {
      const client = await ApiClient.fromFlags('baton logs', flags);
      const text = await client.call('GET /apps/:name/logs', { params: { name }, query: { tail: flags.tail, container: flags.container || undefined } });
      if (flags.output === 'json') process.stdout.write(`${JSON.stringify(parseLogBlocks(text), null, 2)}\n`);
      else process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
    });
}

const HEADER = /^==> ([^/\s]+)\/(\S+) (\S+) <==$/;

/** The API's text (blocks headed `==> namespace/pod container <==`, a blank line between) as one entry per container. */
export function parseLogBlocks(text: string): ContainerLog[] {
  const logs: ContainerLog[] = [];
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header) logs.push({ namespace: header[1], pod: header[2], container: header[3], lines: [] });
    else logs.at(-1)?.lines.push(line);
  }
  // Each block ends with a newline, and blocks are joined by one more: those are not log lines.
  for (const [i, log] of logs.entries()) {
    if (log.lines.at(-1) === '') log.lines.pop();
    if (i < logs.length - 1 && log.lines.at(-1) === '') log.lines.pop();
  }
  return logs;
}
