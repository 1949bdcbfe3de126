import type { EventEmitter } from 'node:events';
import type { RevisionEvent, SourceErrorEvent, SourcePoller } from '../../source/source-poller.js';
import type { BatonMetrics } from './baton-metrics.js';
import { recordGitRequest, type GitRequestEvent } from './time-git-request.js';

/**
 * Feeds new-revision and failed-check counts from a SourcePoller, and Git
 * request counts and durations from its `request` events when it emits them
 * (one per ls-remote and per fetch, see GitRequestEvent). Returns a function
 * that stops.
 */
export function observeSourcePoller(metrics: BatonMetrics, poller: SourcePoller): () => void {
  const onRevision = (e: RevisionEvent) => metrics.sourceRevisions.inc({ repo: e.repository });
  const onError = (e: SourceErrorEvent) => {
    const code = (e.error as { code?: unknown }).code;
    metrics.sourceErrors.inc({ repo: e.repository, code: typeof code === 'string' ? code : 'UNKNOWN' });
  };
  const onRequest = (e: GitRequestEvent) => recordGitRequest(metrics, e);
  // `request` is not (yet) among SourcePollerEvents; listening costs nothing if it is never emitted.
  const emitter = poller as unknown as EventEmitter;
  poller.on('revision', onRevision);
  poller.on('error', onError);
  emitter.on('request', onRequest);
  return () => {
    poller.off('revision', onRevision);
    poller.off('error', onError);
    emitter.off('request', onRequest);
  };
}
