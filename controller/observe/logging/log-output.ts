/** How log lines look, for every logger of this process. */
export interface LogOutput {
  /** `json` (one object per line), `human` (one readable line), or `auto`: human on a terminal, JSON otherwise. */
  format: 'auto' | 'json' | 'human';
  /** Human lines show error stacks (`--debug`). */
  stacks: boolean;
}

export const LOG_FORMATS = ['auto', 'json', 'human'] as const;

/**
 * Process-wide, as `knownSecrets` is: the CLI sets it once from `--log-format`
 * and `--debug` (or `BATON_LOG_FORMAT`), before any command builds a logger.
 */
export const logOutput: LogOutput = { format: 'auto', stacks: false };

/** `--log-format`'s value (or the variable's), checked; undefined and '' mean auto. */
export function parseLogFormat(value: string | undefined, from = '--log-format'): LogOutput['format'] {
  if (value === undefined || value === '') return 'auto';
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new Error(`${from}: "${value}" is not a log format; use json, human or auto`);
  return value as LogOutput['format'];
}
