import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '../..');
const source = join(repoRoot, 'controller/edges/cli/main.ts');
const built = join(repoRoot, 'dist/controller/edges/cli/main.js');
const tsx = import.meta.resolve('tsx');

/** Newest modification time of a .ts file under `dir` (0 for none). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let useBuild: boolean | undefined;

/**
 * Whether to start the compiled CLI: yes when dist/ is newer than every source
 * file it is built from (CI builds right before the tests), else the
 * TypeScript runs through tsx. A start through tsx costs twice the CPU and
 * the tests start the CLI some hundred times. BATON_TEST_CLI=tsx|dist forces either.
 */
function startBuilt(): boolean {
  if (useBuild !== undefined) return useBuild;
  const forced = process.env.BATON_TEST_CLI;
  if (forced === 'tsx' || forced === 'dist') return (useBuild = forced === 'dist');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return (useBuild = false);
  }
  useBuild = ['controller', 'runtime', 'renderer'].every((dir) => newestSource(join(repoRoot, dir)) < builtAt);
  return useBuild;
}

/** Node's arguments that run the baton CLI, for spawn or execFile with process.execPath. */
export function batonArgv(args: string[]): string[] {
  return startBuilt() ? [built, ...args] : ['--import', tsx, source, ...args];
}

export interface CliRun {
  /** The exit code; 1 when it was killed or could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunBatonOptions {
  /** @defaultValue the repository root */
  cwd?: string;
  /** Laid over this process's environment. @defaultValue nothing */
  env?: NodeJS.ProcessEnv;
  /** Written to its stdin, which is then closed. @defaultValue an empty, closed stdin */
  stdin?: string | Buffer;
  /** Killed (exit code 1) after this long. @defaultValue no limit */
  timeoutMs?: number;
}

/** Runs one `baton …` command to its end without blocking this process (a server in the test keeps answering). */
export function runBaton(args: string[], options: RunBatonOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      batonArgv(args),
      { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 0, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve({ code: err ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin);
  });
}
