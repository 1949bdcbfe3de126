/** An `ip` or `nft` invocation that failed; the message names the command and its stderr. */
export interface CommandErrorData {
  command: string;
  args: string[];
  /** Exit status, or undefined when the program could not be started (ENOENT) or was killed. */
  exitCode?: number;
  stderr: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code = 'COMMAND_FAILED';

  constructor(
    readonly data: CommandErrorData,
    options?: { cause?: unknown },
  ) {
    const status = data.exitCode === undefined ? 'could not run' : `failed (exit ${data.exitCode})`;
    super(`${[data.command, ...data.args].join(' ')} ${status}: ${data.stderr.trim() || 'no output'}`, options);
  }
}
