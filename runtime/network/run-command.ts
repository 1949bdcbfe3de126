import { execFile } from 'node:child_process';
import { CommandError } from './command-error.js';

/** Runs `command` without a shell; rejects with a CommandError carrying its stderr. */
export function runCommand(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: 16 << 20, timeout: 30_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException & { code?: number | string }).code;
      reject(
        new CommandError(
          { command, args, exitCode: typeof code === 'number' ? code : undefined, stderr: stderr || err.message },
          { cause: err },
        ),
      );
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs `ip` with JSON output and parses it; `ip -j` prints nothing at all for an empty list. */
export async function ipJson<T>(args: string[]): Promise<T[]> {
  const out = await runCommand('ip', ['-j', ...args]);
  return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
}
