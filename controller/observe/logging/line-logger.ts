import type { Logger } from 'pino';
import { withLogContext, type LogContext } from './log-context.js';

/** `catalog: applying …` or `pr-12.catalog: …`: the line is about that app. */
const APP_PREFIX = /^([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?): /;

/**
 * Bridges parts that log plain lines (`log?: (line) => void` options) to a
 * pino logger: each line becomes one `info` record whose `msg` is the line
 * unchanged, with `context` as fields; when the caller gives no app, a
 * leading `app: ` (as the controller and the sync reconciler write their
 * lines) is lifted into the `app` field.
 */
export function lineLogger(logger: Logger): (line: string, context?: LogContext) => void {
  return (line, context) => {
    const app = context?.app ?? APP_PREFIX.exec(line)?.[1];
    const target = context || app ? withLogContext(logger, { ...context, app }) : logger;
    target.info(line);
  };
}
