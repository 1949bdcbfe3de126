import { BatonError } from '../../runtime/kube/baton-error.js';

/** What is wrong with an application's declaration; callers branch on this, people read the message. */
export type ConfigErrorCode =
  | 'YAML_SYNTAX'
  | 'INVALID_VALUE'
  | 'MISSING_FIELD'
  | 'UNKNOWN_FIELD'
  | 'DUPLICATE_APP'
  | 'UNKNOWN_DEPENDENCY'
  | 'DEPENDENCY_CYCLE'
  | 'BAD_FLAG';

export interface ConfigErrorData {
  /** File the declaration is in (`baton.yaml`), or `--app` for a command-line flag. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** Field at fault, e.g. `apps[3].rollout.progressDeadlineSeconds`; '' for the whole file. */
  path: string;
  [key: string]: unknown;
}

/**
 * A mistake in `baton.yaml` or an `--app` flag. Configuration cannot fix
 * itself, so a sync that meets one is not retried until the file changes.
 */
export class ConfigError extends BatonError {
  constructor(
    override readonly code: ConfigErrorCode,
    message: string,
    readonly data: ConfigErrorData,
  ) {
    super(message, { retryable: false });
    this.name = 'ConfigError';
  }

  static at(code: ConfigErrorCode, where: { file: string; line: number; col: number }, path: string, message: string, extra: Record<string, unknown> = {}): ConfigError {
    return new ConfigError(code, message, { ...extra, file: where.file, line: Math.max(1, where.line), col: Math.max(1, where.col), path });
  }

  /** `baton.yaml:12:7: apps[3].rollout.progressDeadlineSeconds: must be a positive integer`. */
  format(): string {
    const field = this.data.path ? `${this.data.path}: ` : '';
    return `${this.data.file}:${this.data.line}:${this.data.col}: ${field}${this.message}`;
  }
}
