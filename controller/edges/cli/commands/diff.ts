import type { Command } from 'commander';
import { formatDiff } from '../../../plan/diff/format-diff.js';
import type { AppDiffAnswer } from '../../api/contract.js';
import { ApiClient, printResult, shortRev, withClientOptions, type ClientFlags } from '../api-client.js';
import { CliError } from '../cli-error.js';

export function registerDiff(program: Command): void {
  withClientOptions(
    program
      .command('diff <name>')
      .description("what syncing the app would change in the cluster (Secret values are never shown); exits 1 when there are differences, 2 on errors, like kubectl diff"),
  )
    .option('--all', 'list unchanged objects too')
    .action(async (name: string, flags: ClientFlags & { all?: boolean }) => {
      const client = await ApiClient.fromFlags('baton diff', flags);
      let answer: AppDiffAnswer;
      try {
        answer = await client.call('GET /apps/:name/diff', { params: { name } });
      } catch (err) {
        if (err instanceof CliError) throw new CliError(err.message, 2);
        throw err;
      }
      printResult(flags, answer, (d) => {
        const { added, changed, removed } = d.counts;
        const head = d.inSync
          ? `${d.app} at ${shortRev(d.revision)} is in sync with the cluster`
          : `${d.app} at ${shortRev(d.revision)}: ${added} to add, ${changed} to change, ${removed} to prune`;
        const body = formatDiff(d, { all: flags.all ?? false });
        return body ? `${head}\n${body}` : head;
      });
      if (!answer.inSync) process.exitCode = 1;
    });
}
