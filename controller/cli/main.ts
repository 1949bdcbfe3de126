import { Command } from 'commander';
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
registerRender(program);
registerUp(program);
registerWorker(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(err.exitCode);
  }
  throw err;
}
