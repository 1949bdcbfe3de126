import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isAbsolute } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { installCommand, isPresent, missingPackages, searchPath, SYSTEM_PACKAGES, TEST_PACKAGES, type SystemPackage } from '../setup/system-packages.js';

interface SetupFlags {
  check?: boolean;
  tests?: boolean;
}

export function registerSetup(program: Command): void {
  program
    .command('setup')
    .description('install the Debian packages `baton up` uses that this machine lacks (apt-get, as root; otherwise prints the sudo command)')
    .option('--check', 'only say what is missing and the command that installs it')
    .option('--tests', 'also what `npm test` uses: docker-registry, skopeo, chromium, kubectl')
    .action(async (flags: SetupFlags) => {
      await setup(flags, process.env);
    });
}

/**
 * Idempotent and non-interactive: installs only what is missing, in one
 * `apt-get install`, then checks again. `BATON_APT_GET` names another
 * apt-get program (tests record its arguments instead of installing).
 */
async function setup(flags: SetupFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const missing = missingPackages(env, flags.tests ? [...SYSTEM_PACKAGES, ...TEST_PACKAGES] : SYSTEM_PACKAGES);
  if (missing.length === 0) {
    process.stdout.write(`baton setup: nothing to install; this machine has every package ${flags.tests ? '`baton up` and `npm test` use' : '`baton up` uses'}\n`);
    return;
  }
  const names = missing.map((p) => p.name);
  const asRoot = process.getuid?.() === 0;
  if (flags.check) throw new CliError(`baton setup: missing ${names.join(', ')}; install them with: ${installCommand(names, asRoot)}`);
  if (!asRoot) throw new CliError(`baton setup: installing ${names.join(', ')} needs root; run: ${installCommand(names, false)}`);
  const aptGet = env.BATON_APT_GET || 'apt-get';
  if (!isAbsolute(aptGet) && !isPresent({ name: 'apt', commands: [aptGet], why: '' }, env)) {
    throw new CliError(`baton setup: apt-get is not on this machine (baton setup knows Debian and Ubuntu); install these with your package manager: ${names.join(' ')}`);
  }

  process.stdout.write(`baton setup: installing ${names.join(', ')} with apt-get\n${describe(missing)}`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive', PATH: searchPath(env).join(':') };
  await run(aptGet, ['update', '-qq'], aptEnv, names);
  await run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...names], aptEnv, names);
  const still = missingPackages(env, missing);
  if (still.length > 0) throw new CliError(`baton setup: apt-get finished but ${still.map((p) => p.name).join(', ')} still cannot be found on PATH; run: ${installCommand(names, true)} and read its output`);
  process.stdout.write(`baton setup: installed ${names.join(', ')}\n`);
}

function describe(packages: readonly SystemPackage[]): string {
  const width = Math.max(...packages.map((p) => p.name.length));
  return packages.map((p) => `  ${p.name.padEnd(width)}  ${p.why}\n`).join('');
}

async function run(program: string, args: string[], env: NodeJS.ProcessEnv, names: readonly string[]): Promise<void> {
  const child = spawn(program, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code, signal] = (await Promise.race([once(child, 'exit'), once(child, 'error').then(([err]) => Promise.reject(err as Error))])) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new CliError(`baton setup: \`apt-get ${args[0]}\` failed (${signal ?? `exit ${code}`}); fix what it printed, then run: ${installCommand(names, true)}`);
}
