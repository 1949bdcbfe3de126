import { Command } from 'commander';
import { registerApp } from './commands/app.js';
import { registerApps } from './commands/apps.js';
import { registerDiff } from './commands/diff.js';
import { registerHistory } from './commands/history.js';
import { registerImage } from './commands/image.js';
import { registerLogs } from './commands/logs.js';
import { registerPreviews } from './commands/previews.js';
import { registerRollback } from './commands/rollback.js';
import { registerSync } from './commands/sync.js';
import { registerRender } from './commands/render.js';
import { registerRuntime } from './commands/runtime.js';
import { registerSetup } from './commands/setup.js';
import { registerUp } from './commands/up.js';
import { registerWorker } from './commands/worker.js';
import { CliError } from './cli-error.js';
import { logOutput, parseLogFormat } from '../../observe/logging/log-output.js';

interface GlobalFlags {
  logFormat?: string;
  debug?: boolean;
}

const program = new Command();
program
  .name('baton')
  .description('GitOps controller with a built-in single-machine Kubernetes-compatible runtime')
  .option('--log-format <format>', 'log lines as json, human, or auto: human on a terminal, JSON when piped (env BATON_LOG_FORMAT)')
  .option('--debug', 'show the stack trace of a failure, and error stacks in human log lines')
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  .hook('preAction', () => {
    const { logFormat, debug } = program.opts<GlobalFlags>();
    try {
      logOutput.format = parseLogFormat(logFormat ?? process.env.BATON_LOG_FORMAT, logFormat === undefined ? 'BATON_LOG_FORMAT' : '--log-format');
    } catch (err) {
      throw new CliError(`baton: ${(err as Error).message}`);
    }
    logOutput.stacks = debug === true;
  });

registerSetup(program);
registerRuntime(program);
registerImage(program);
registerRender(program);
registerUp(program);
registerWorker(program);
registerApps(program);
registerApp(program);
registerDiff(program);
registerSync(program);
registerHistory(program);
registerRollback(program);
registerPreviews(program);
registerLogs(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // A failure is one plain sentence (CliErrors carry the fix); the stack only with --debug.
  const debug = program.opts<GlobalFlags>().debug === true;
  const e = err as Error;
  if (debug) process.stderr.write(`${e?.stack ?? String(err)}\n`);
  else if (err instanceof CliError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`baton: ${e?.message ?? String(err)}\n(run again with --debug for the stack trace)\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}
