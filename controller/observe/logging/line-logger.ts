import type { Logger } from 'pino';
import { withLogContext, type LogContext } from './log-context.js';

/**
 * Bridges parts that log lines (`log?: LogLine` options) to a pino logger:
 * each line becomes one `info` record whose `msg` is the line unchanged,
 * with `context` (app, revision, event) as fields.
 */
export function lineLogger(logger: Logger): (line: string, context?: LogContext) => void {
  return (line, context) => {
    const target = context ? withLogContext(logger, context) : logger;
    target.info(line);
  };
}
