import type { Logger } from 'pino';
import type { RevisionEvent, SourceErrorEvent, SourcePoller } from '../../source/source-poller.js';
import { withLogContext } from './log-context.js';

/** Logs each new revision and each failed check of a SourcePoller, with `repository` on the line. Returns a function that stops. */
export function logSourcePoller(logger: Logger, poller: SourcePoller): () => void {
  const onRevision = (e: RevisionEvent) =>
    withLogContext(logger, { repository: e.repository, revision: e.commit }).info({ previous: e.previous }, 'new revision');
  const onError = (e: SourceErrorEvent) =>
    withLogContext(logger, { repository: e.repository }).warn({ err: e.error, code: (e.error as { code?: string }).code }, 'source check failed');
  poller.on('revision', onRevision);
  poller.on('error', onError);
  return () => {
    poller.off('revision', onRevision);
    poller.off('error', onError);
  };
}
