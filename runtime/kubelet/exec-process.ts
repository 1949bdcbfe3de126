import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A command running beside a container with its standard streams open (`kubectl exec`, `kubectl cp`). */
export interface ExecProcess {
  /** The command's stdin; absent unless asked for. Ending it closes the command's stdin. */
  stdin?: Writable;
  stdout: Readable;
  stderr: Readable;
  /** The exit code once the command has ended and its output is drained (128 + signal when killed). */
  exited: Promise<number>;
  /** Kills the command (the client went away). */
  kill(): void;
  /** With a TTY: the terminal's new size. */
  resize?(columns: number, rows: number): void;
}

/** What a streaming exec asks of a driver beyond the command. */
export interface ExecStreamOptions {
  /** Open a pipe to the command's stdin. */
  stdin: boolean;
  /**
   * Run the command on a terminal (stdout and stderr then arrive together on stdout).
   * @defaultValue false
   */
  tty?: boolean;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };

/** Wraps a spawned helper (`runc exec`, `nsenter`) whose stdio are pipes. */
export function execProcessOf(child: ChildProcess): ExecProcess {
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(126));
    // 'close' comes after stdout and stderr have ended: no output is lost.
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 9) : 9)));
  });
  // A command that exits without reading its stdin must not crash the runtime with EPIPE.
  child.stdin?.on('error', () => {});
  return {
    stdin: child.stdin ?? undefined,
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    kill: () => void child.kill('SIGKILL'),
  };
}
