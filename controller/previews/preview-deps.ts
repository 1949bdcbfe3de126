import type { LogLine } from '../apps/app-log.js';
import type { ClusterTargets } from '../clusters/cluster-target.js';
import type { SyncQueue } from '../queue/sync-queue.js';
import type { SourcePoller } from '../source/source-poller.js';
import type { StateStore } from '../state/state-store.js';
import type { SyncRegistry } from '../state/sync-registry.js';
import type { PreviewStore } from './preview-store.js';

/** The narrow ports every step of the preview controller works through. */
export interface PreviewDeps {
  store: PreviewStore;
  state: StateStore;
  queue: Pick<SyncQueue, 'enqueue'>;
  registry: Pick<SyncRegistry, 'repository'>;
  poller: Pick<SourcePoller, 'match' | 'repository'>;
  clusters: ClusterTargets;
  /** One line per decision worth telling a person (with the app, for a line about one). */
  log: LogLine;
}
