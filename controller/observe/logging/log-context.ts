import type { Logger } from 'pino';

/** What a line is about; each field appears on every line of the child logger. */
export interface LogContext {
  app?: string;
  revision?: string;
  jobId?: string;
  repository?: string;
  /** What happened, for readers that look for it (`rollback`), from the parts' LogLineContext. */
  event?: string;
}

/** A child logger whose lines carry `context` (fields left undefined are not written). */
export function withLogContext(logger: Logger, context: LogContext): Logger {
  const bindings = Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined));
  return logger.child(bindings);
}
