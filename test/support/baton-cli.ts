import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '../..');
const source = join(repoRoot, 'controller/edges/cli/main.ts');
const tsx = import.meta.resolve('tsx');

/** Node's arguments that run the baton CLI from source (TypeScript through tsx), for spawn or execFile with process.execPath. */
export function batonArgv(args: string[]): string[] {
  return ['--import', tsx, source, ...args];
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
