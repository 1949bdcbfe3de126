import { launcher } from '../launcher/index.js';
import { CommandError } from './command-error.js';

/** Runs `command` without a shell of its own; rejects with a CommandError carrying its stderr. */
export async function runCommand(command: string, args: string[], input?: string): Promise<string> {
  // Through the launcher: a spawn from node blocks the event loop, a burst of pods runs hundreds of these.
  const result = await launcher().run(command, args, { input, timeoutMs: 30_000 });
  if (result.code === 0) return result.stdout;
  // 127: not found, as execFile's ENOENT; a timeout or a signal leaves no exit status either.
  const exitCode = result.code === 127 || result.timedOut || result.code > 128 ? undefined : result.code;
  throw new CommandError({ command, args, exitCode, stderr: result.timedOut ? `timed out after 30 s${result.stderr ? `: ${result.stderr}` : ''}` : result.stderr });
}

/** Runs `ip` with JSON output and parses it; `ip -j` prints nothing at all for an empty list. */
export async function ipJson<T>(args: string[]): Promise<T[]> {
  const out = await runCommand('ip', ['-j', ...args]);
  return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
}
