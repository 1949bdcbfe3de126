export { createLogger, type CreateLoggerOptions } from './create-logger.js';
export { censorLine, censorValue } from './censor.js';
export { KnownSecrets, knownSecrets, MIN_SECRET_LENGTH } from './known-secrets.js';
export { lineLogger } from './line-logger.js';
export { withLogContext, type LogContext } from './log-context.js';
export { logSourcePoller } from './log-source-poller.js';
export { logSyncWorker } from './log-sync-worker.js';
export { REDACTED, redactObject } from './redact-object.js';
export { logOutput, parseLogFormat, type LogOutput } from './log-output.js';
