import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

export function registerRender(program: Command): void {
  program
    .command('render <dir>')
    .description('render manifests or a chart to YAML on stdout (like helm template)')
    .action(() => {
      throw new CliError('baton render: not implemented yet');
    });
}
