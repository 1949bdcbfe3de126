import type { Command } from 'commander';
import { ApiClient, shortRev, withClientOptions } from '../api-client.js';
import { followSync, report, withWaitOptions, type WaitFlags } from './sync.js';

export function registerRollback(program: Command): void {
  withWaitOptions(
    withClientOptions(
      program
        .command('rollback <name> [revision]')
        .description('re-apply a healthy revision kept in history (default: the one before the live one) and pin the app there until `baton sync NAME`'),
    ),
    'rollback',
  )
    .action(async (name: string, revision: string | undefined, flags: WaitFlags) => {
      const client = await ApiClient.fromFlags('baton rollback', flags);
      const ask = async () => {
        const answer = await client.call('POST /apps/:name/rollback', { params: { name }, body: revision === undefined ? {} : { revision } });
        report(flags, answer, `rollback of ${answer.app} to ${shortRev(answer.revision)} queued; ${answer.app} stays there until \`baton sync ${answer.app}\``);
        return answer;
      };
      if (flags.wait) await followSync(client, name, flags, ask);
      else await ask();
    });
}
