/** What went wrong; callers branch on this, people read the message. */
export type RenderErrorCode =
  | 'YAML_SYNTAX'
  | 'TEMPLATE_SYNTAX'
  | 'TEMPLATE_RUNTIME'
  | 'UNKNOWN_HELPER'
  | 'MISSING_VALUE'
  | 'REQUIRED_VALUE'
  | 'FORBIDDEN_NAME'
  | 'SCHEMA_VIOLATION'
  | 'BAD_SET'
  | 'BAD_VALUES'
  | 'BAD_CHART'
  | 'INVALID_OBJECT'
  | 'DUPLICATE_OBJECT'
  | 'NOT_A_MANIFEST'
  | 'NOT_FOUND'
  | 'PATH_ESCAPE'
  | 'TOO_LARGE'
  | 'INVALID_UTF8'
  | 'NO_OBJECTS'
  | 'KUSTOMIZE';

export interface RenderErrorData {
  /** Path of the file at fault, as the caller named it (tree-relative, a values file, or `--set`). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  [key: string]: unknown;
}

/**
 * Every failure of a render: a configuration error that retrying cannot fix,
 * always located at `file:line:col` so a person can go straight to it.
 */
export class RenderError extends Error {
  constructor(
    readonly code: RenderErrorCode,
    message: string,
    readonly data: RenderErrorData,
  ) {
    super(message);
    this.name = 'RenderError';
  }

  static at(code: RenderErrorCode, file: string, line: number, col: number, message: string, extra: Record<string, unknown> = {}): RenderError {
    return new RenderError(code, message, { ...extra, file, line: Math.max(1, line), col: Math.max(1, col) });
  }

  get file(): string {
    return this.data.file;
  }

  /** `file:line:col: message`, the form the CLI prints and editors jump to. */
  format(): string {
    return `${this.data.file}:${this.data.line}:${this.data.col}: ${this.message}`;
  }
}
