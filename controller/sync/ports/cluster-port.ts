import type { HealthStatus } from '../../apps/app-spec.js';
import type { AppliedObject } from '../../apply/applied-object.js';
import type { ApplyApp } from '../../apply/apply-objects.js';
import type { PrunePlan } from '../../apply/prune-objects.js';
import type { HookEvent, HooksResult } from '../../apply/run-hooks.js';
import type { HookObject } from '../../apply/sync-waves.js';
import type { HookPhase } from '../../../runtime/kube/sync-annotations.js';
import type { PreflightApp, PreflightRefusal } from '../../apply/preflight.js';
import type { HealthGateResult, WorkloadHealth } from '../../health/wait-for-healthy.js';
import type { KubeObject } from '../../../runtime/kube/object.js';

export interface ClusterApply {
  app: ApplyApp;
  objects: readonly KubeObject[];
  /** `planPrune` of the same app and objects, made before anything was applied: pruned without listing again. @defaultValue listed after applying */
  prunePlan?: PrunePlan;
  signal: AbortSignal;
  onProgress: (object: AppliedObject) => void;
}

export interface ClusterGate {
  objects: readonly KubeObject[];
  namespace: string;
  deadlineSeconds: number;
  signal: AbortSignal;
  onProgress: (workload: WorkloadHealth) => void;
}

export interface ClusterRollback {
  app: ApplyApp & { rollout: { progressDeadlineSeconds: number } };
  manifests: readonly KubeObject[];
  signal: AbortSignal;
  onApplied: (object: AppliedObject) => void;
  onProgress: (workload: WorkloadHealth) => void;
}

/**
 * One cluster as a sync uses it. Failures come back classified: an
 * ObjectRejectedError (not retried) or a ClusterRequestError (retried); an
 * abort rejects with the signal's reason.
 */
export interface ClusterPort {
  readonly name: string;
  /** The live counterparts of `objects` that exist. */
  readLive(objects: readonly KubeObject[]): Promise<KubeObject[]>;
  /** Server-side apply in dependency order, then prune of what the app no longer renders when its policy says so. */
  apply(input: ClusterApply): Promise<AppliedObject[]>;
  /** Why `apply` of these objects would be refused (off limits, owned by another app, a dry-run's refusal), reading and dry-running only; empty when nothing would be. */
  preflight(input: { app: PreflightApp; objects: readonly KubeObject[]; hooks?: readonly KubeObject[]; signal: AbortSignal }): Promise<PreflightRefusal[]>;
  /** What `apply` of these objects would prune (whatever the app's policy), reading only. */
  planPrune(input: Pick<ClusterApply, 'app' | 'objects' | 'signal'>): Promise<PrunePlan>;
  /** The health gate: every workload rolled out within the deadline, or why not. */
  waitForHealthy(input: ClusterGate): Promise<HealthGateResult>;
  /** The objects' health as the app's status shows it. */
  assessHealth(objects: readonly KubeObject[], namespace: string): Promise<HealthStatus>;
  /** Applies the manifests (always pruning the rest) and gates them again. */
  rollbackTo(input: ClusterRollback): Promise<{ health: HealthGateResult }>;
  /** Runs the hooks of one phase, wave by wave, each finished (a Job complete) before the next; or why one failed. */
  runHooks(input: ClusterHooks): Promise<HooksResult>;
}

export interface ClusterHooks {
  app: { name: string; namespace: string };
  phase: HookPhase;
  hooks: readonly HookObject[];
  revision: string;
  deadlineSeconds: number;
  signal: AbortSignal;
  onProgress?: (event: HookEvent) => void;
}

export interface ClustersPort {
  /** The cluster an app names; throws ClusterConfigError when it is not configured (or `local` not started). */
  connect(name: string): ClusterPort;
}
