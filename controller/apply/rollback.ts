import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { waitForHealthy, type HealthGateResult, type WorkloadHealth } from '../health/wait-for-healthy.js';
import type { AppliedObject } from './applied-object.js';
import { applyObjects, type ApplyApp } from './apply-objects.js';

export interface RollbackOptions {
  target: ClusterTarget;
  app: ApplyApp & { rollout: { progressDeadlineSeconds: number } };
  /** The last healthy revision's manifests, as stored after its sync. */
  manifests: readonly KubernetesObject[];
  /**
   * How long the restored revision has to become healthy again.
   * @defaultValue app.rollout.progressDeadlineSeconds
   */
  deadlineSeconds?: number;
  signal?: AbortSignal;
  onApplied?: (result: AppliedObject) => void;
  onProgress?: (workload: WorkloadHealth) => void;
}

export interface RollbackResult {
  applied: AppliedObject[];
  health: HealthGateResult;
}

/**
 * Puts the last healthy manifests back: applies them, prunes whatever they do
 * not contain (what the failed revision added goes away, whatever the app's
 * prune policy: a rollback restores that revision exactly), and waits for
 * health again. The caller records the outcome in the app's history.
 */
export async function rollbackTo(options: RollbackOptions): Promise<RollbackResult> {
  const { target, app, manifests, signal } = options;
  const applied = await applyObjects({ target, app, objects: manifests, prune: true, signal, onProgress: options.onApplied });
  const health = await waitForHealthy({
    target,
    objects: manifests,
    namespace: app.namespace,
    deadlineSeconds: options.deadlineSeconds ?? app.rollout.progressDeadlineSeconds,
    signal,
    onProgress: options.onProgress,
  });
  return { applied, health };
}
