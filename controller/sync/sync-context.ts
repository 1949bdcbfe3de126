import type { AppSpec, RepositorySpec } from '../apps/app-spec.js';
import type { SyncProgress } from '../health/sync-progress.js';
import type { PreviewRecord } from '../previews/preview-record.js';
import type { SyncJobData, SyncOutcome } from '../queue/sync-job.js';
import type { AppOrigin, AppStatus } from '../state/app-status.js';
import type { ObjectRef } from '../state/revision-history.js';
import type { AppStatusPatch } from '../state/state-store.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import type { HookObject } from '../apply/sync-waves.js';
import type { ClusterPort } from './ports/cluster-port.js';
import type { PrunePlan } from '../apply/prune-objects.js';
import type { PreflightRefusal } from '../apply/preflight.js';
import type { ObjectSources } from './ports/renderer-port.js';
import type { SyncPorts } from './ports/sync-ports.js';
import type { DroppedObject } from '../plan/preview-transform.js';

/**
 * What one sync learns as its steps run. Each field is set by the step
 * named beside it; a later step may rely on it.
 */
export interface SyncContext {
  request: SyncJobData;
  signal: AbortSignal;
  name: string;
  startedAt: Date;
  /** readStatus */
  status: AppStatus;
  /** decideRevision: a followed branch's app, or a preview (as recorded in the status). */
  origin: AppOrigin;
  /** decideRevision: the repository the app is read from. */
  repository: RepositorySpec;
  /** decideRevision: the open request, for a preview app. */
  preview?: PreviewRecord;
  /** decideRevision: the commit being synced. */
  revision: string;
  /** decideRevision: the newest commit of the followed branch, when known (not for previews). */
  branchHead?: string;
  /** decideRevision, for a preview: the followed branch's newest commit, whose baton.yaml decides the preview's cluster and production dependencies. */
  followedRevision?: string;
  /** loadApp */
  app: AppSpec;
  /** findCluster */
  cluster: ClusterPort;
  /** render: the desired objects, namespaces filled in (hooks left out: they are not the app's live state). */
  objects: KubeObject[];
  /** render: the revision's hooks (Argo CD's `argocd.argoproj.io/hook`), run by phase; none for kept manifests. */
  hooks: HookObject[];
  /** healthGate: the revision passed the gate (PostSync hooks then run, and it is recorded healthy). */
  gatePassed?: boolean;
  digest: string;
  /** render: where each object was rendered from (not for kept manifests). */
  sources?: ObjectSources;
  /** render: what a preview left out of `pr-N`, said in the sync's messages (not for kept manifests). */
  dropped?: readonly DroppedObject[];
  /** askPreflight: the cluster's preflight answer, asked while guardPrune lists (both only read); preflight judges it. */
  preflightAnswer?: Promise<PreflightRefusal[]>;
  /** guardPrune: what the prune would delete, listed before anything was written (reused by apply's prune). */
  prunePlan?: PrunePlan;
  /** apply: events for `baton sync --wait` and the dashboard, shared by apply and gate. */
  progress: SyncProgress;
  /** apply and rollBack: what the sync deleted, for its history entry. */
  pruned: ObjectRef[];
  /** apply or healthGate: why the revision failed, for rollBack. */
  failure?: string;
}

/** What a sync concluded; written to the app's state once, at the end. */
export interface Conclusion {
  outcome: SyncOutcome;
  /** Status fields the sync changes. @defaultValue none */
  status?: AppStatusPatch;
  /** A history entry (recorded with `status` in one write); `keepHealthy` keeps the manifests for rollbacks. @defaultValue none */
  history?: { result: 'Succeeded' | 'Failed' | 'RolledBack'; message: string; keepHealthy?: boolean };
}

/** A step's verdict: the sync is over, or must wait and look again; undefined goes on to the next step. */
export type StepResult = { conclude: Conclusion } | { retryLater: { reason: string; delayMs: number; status?: AppStatusPatch } } | undefined;

export type Step = (ctx: SyncContext, ports: SyncPorts) => Promise<StepResult>;

/** The sync ends with `outcome` (and what to write). */
export function conclude(outcome: SyncOutcome, more: Omit<Conclusion, 'outcome'> = {}): StepResult {
  return { conclude: { outcome, ...more } };
}
