import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { ingressClassOption, parseIngressClasses } from './ingress-class-flag.js';
import { addAutoscalingFlags, autoscalingOptions, type AutoscalingFlags } from './autoscaling-flags.js';
import { addNodeFlags, nodeOptions, type NodeFlags } from './node-flags.js';

interface RuntimeFlags extends NodeFlags, AutoscalingFlags {
  stateDir: string;
  port: string;
  host: string;
  ingressPort?: string;
  ingressClass: string[];
  rotateEncryptionKey?: boolean;
}

function parsePort(text: string, flag = '--port'): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`baton runtime: ${flag} must be a number from 0 to 65535, got "${text}"`);
  return port;
}

export function registerRuntime(program: Command): void {
  const runtimeCommand = addAutoscalingFlags(addNodeFlags(program
    .command('runtime')))
    .description('run the built-in runtime (Kubernetes API subset) alone')
    .option('--state-dir <dir>', 'where the store, token and kubeconfig live', '.baton')
    .option('--port <port>', 'port of the Kubernetes API (0: any free port)', '7071')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--ingress-port <port>', 'port of the ingress (host-based HTTP routing per Ingress objects; 0: any free port) (default: 7080, or any free port with --port 0)')
    .addOption(ingressClassOption())
    .option('--rotate-encryption-key', 'encrypt every stored Secret under a new key in <state-dir>/runtime/encryption-key, then drop the old key')
    .action(async (flags: RuntimeFlags) => {
      const port = parsePort(flags.port);
      const node = nodeOptions('runtime', flags);
      // `--port 0` asks for a throw-away runtime (tests run several at once); its ingress must not claim 7080 either.
      const ingressPort = flags.ingressPort === undefined ? (port === 0 ? 0 : 7080) : parsePort(flags.ingressPort, '--ingress-port');
      const ingressClasses = parseIngressClasses('runtime', flags.ingressClass);
      let runtime;
      try {
        // runtime/index.js loads the server on use: client commands do not pay for importing the whole runtime.
        const { startRuntime } = await import('../../../../runtime/index.js');
        const { createLogger } = await import('../../../observe/logging/create-logger.js');
        // Human lines on a terminal, JSON when piped (--log-format); warnings and up unless BATON_LOG_LEVEL says otherwise.
        const logger = createLogger({ name: 'baton-runtime', level: process.env.BATON_LOG_LEVEL ? undefined : 'warn' });
        runtime = await startRuntime({ stateDir: flags.stateDir, port, host: flags.host, ingressPort, ingressClasses, node, rotateEncryptionKey: !!flags.rotateEncryptionKey, logger, ...autoscalingOptions(flags) });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          const busy = (err as { port?: number }).port ?? port;
          const flag = busy === ingressPort && busy !== port ? '--ingress-port' : '--port';
          throw new CliError(`baton runtime: ${flags.host}:${busy} is already in use; pick another ${flag}`);
        }
        if (code === 'EADDRNOTAVAIL') throw new CliError(`baton runtime: cannot listen on ${flags.host}: no such local address`);
        throw err;
      }
      for (const warning of runtime.warnings) process.stderr.write(`baton runtime: ${warning}\n`);
      process.stdout.write(`baton runtime: Kubernetes API at ${runtime.url}\n`);
      if (runtime.ingressUrl) process.stdout.write(`baton runtime: ingress at ${runtime.ingressUrl} (e.g. http://<name>.localhost:${new URL(runtime.ingressUrl).port}/)\n`);
      process.stdout.write(`kubeconfig: ${runtime.kubeconfigPath}\n`);
      process.stdout.write(`  export KUBECONFIG=${runtime.kubeconfigPath}\n`);
      const stop = (signal: string) => {
        process.stdout.write(`baton runtime: ${signal}, shutting down\n`);
        runtime.close().then(
          () => process.exit(0),
          (err) => {
            process.stderr.write(`baton runtime: shutdown failed: ${(err as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  registerStoreBackup(runtimeCommand);
}

/** `baton runtime backup <dir>` and `baton runtime restore <dir>`: the store and its key, with the runtime stopped. */
function registerStoreBackup(runtimeCommand: Command): void {
  runtimeCommand
    .command('backup <dir>')
    .description("copy the runtime's store and its encryption key to a new directory (stop the runtime first)")
    .action(async (dir: string, _flags: unknown, command: Command) => {
      // --state-dir belongs to `baton runtime`, which parses it wherever it stands.
      const flags = command.optsWithGlobals<{ stateDir: string }>();
      const { backupStore } = await (await import('../../../../runtime/index.js')).loadStoreBackup();
      const { objects } = await backupStore(join(flags.stateDir, 'runtime'), dir).catch((err: Error) => {
        throw new CliError(`baton runtime backup: ${err.message}`);
      });
      process.stdout.write(`baton runtime backup: ${objects} objects and the encryption key in ${dir}\n`);
    });
  runtimeCommand
    .command('restore <dir>')
    .description('put a backup in place of the runtime\'s store (stop the runtime first; the replaced store is kept beside it)')
    .action(async (dir: string, _flags: unknown, command: Command) => {
      const flags = command.optsWithGlobals<{ stateDir: string }>();
      const { restoreStore } = await (await import('../../../../runtime/index.js')).loadStoreBackup();
      let result: { objects: number; keptAs?: string };
      try {
        result = restoreStore(dir, join(flags.stateDir, 'runtime'));
      } catch (err) {
        throw new CliError(`baton runtime restore: ${(err as Error).message}`);
      }
      process.stdout.write(`baton runtime restore: ${result.objects} objects restored from ${dir}${result.keptAs ? `; the previous store is kept as ${result.keptAs}` : ''}\n`);
    });
}
