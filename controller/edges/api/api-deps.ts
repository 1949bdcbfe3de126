import type { AppDiff } from '../../plan/diff/diff-objects.js';
import type { SyncQueue } from '../../queue/sync-queue.js';
import type { AppStatus } from '../../state/app-status.js';
import type { StateStore } from '../../state/state-store.js';
import type { AppResourceTree, CommitSummary, PreviewSummary } from './contract.js';
import type { TokenStore } from './token-store.js';

/** What applying the app's desired revision would change, as the diff provider works it out. */
export interface AppDiffReport {
  /** The revision the desired objects were rendered from. */
  revision: string;
  /** Redacted by construction: a Secret's values never appear (controller/plan/diff). */
  diff: AppDiff;
}

export interface PodLogsOptions {
  /** Lines from the end of each container's log. */
  tail: number;
  /** Only this container. @defaultValue every container */
  container?: string;
}

/**
 * What the REST API needs from the rest of the controller. Everything it does
 * on its own goes through `state` and `queue`; the optional parts are served
 * as 501 Not Implemented with a clear message until someone supplies them.
 */
export interface ControllerApiDeps {
  state: Pick<StateStore, 'listApps' | 'getApp' | 'updateApp' | 'getHistory' | 'listHealthyRevisions' | 'subscribe' | 'readEvents'>;
  queue: Pick<SyncQueue, 'enqueue' | 'pendingState'>;
  tokens: TokenStore;
  /** Renders the app's desired revision and compares it with the live objects. @defaultValue none: `GET …/diff` answers 501 */
  diff?: (app: AppStatus) => Promise<AppDiffReport>;
  /** The last lines of the logs of the app's pods. @defaultValue none: `GET …/logs` answers 501 */
  podLogs?: (app: AppStatus, options: PodLogsOptions) => Promise<string>;
  /** Whether the read-only token may read pod logs (always censored); false answers it 403 (`--readers-see-logs=false`). @defaultValue true */
  readersSeeLogs?: boolean;
  /** Open previews. @defaultValue none exist: `GET /api/v1/previews` answers [] */
  previews?: () => Promise<PreviewSummary[]>;
  /** The app's live Deployments → ReplicaSets → Pods and Services → endpoints (the dashboard's tree). @defaultValue none: `GET …/resources` answers 501 */
  resources?: (app: AppStatus) => Promise<AppResourceTree>;
  /** A revision's message and author, undefined when no followed repository has it. @defaultValue none: `GET /api/v1/commits/:sha` answers 501 */
  commitInfo?: (sha: string) => Promise<CommitSummary | undefined>;
  /** Milliseconds between SSE heartbeat comments, which keep proxies from closing an idle stream. @defaultValue 15000 */
  heartbeatMs?: number;
  /** The largest request body accepted (express/body-parser syntax). @defaultValue '64kb' */
  bodyLimit?: string;
}
