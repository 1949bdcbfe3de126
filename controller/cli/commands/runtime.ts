import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

export function registerRuntime(program: Command): void {
  program
    .command('runtime')
    .description('run the built-in runtime (Kubernetes API subset) alone')
    .action(() => {
      throw new CliError('baton runtime: not implemented yet');
    });
}
