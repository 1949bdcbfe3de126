/** An error the CLI prints as-is (no stack) before exiting with `exitCode`. */
export class CliError extends Error {
  readonly code = 'ECLI';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
