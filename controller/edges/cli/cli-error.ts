import { BatonError } from '../../../runtime/kube/baton-error.js';

/** An error the CLI prints as-is (no stack) before exiting with `exitCode`. Running the same command again will not help. */
export class CliError extends BatonError {
  override readonly code = 'ECLI';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message, { retryable: false });
    this.name = 'CliError';
  }
}
