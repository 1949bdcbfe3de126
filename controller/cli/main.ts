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
import { registerUp } from './commands/up.js';
import { registerWorker } from './commands/worker.js';
import { CliError } from './cli-error.js';

const program = new Command();
program
  .name('baton')
  .description('GitOps controller with a built-in single-machine Kubernetes-compatible runtime')
  .showHelpAfterError();

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
  if (err instanceof CliError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
