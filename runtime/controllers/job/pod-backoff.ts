import type { KubeObject } from '../../kube/object.js';
import { backoffDelay } from '../../kube/reconcile/backoff.js';
import { finishedAt } from './job-pods.js';

/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const POD_BACKOFF_BASE_MS = 10_000;
export const POD_BACKOFF_MAX_MS = 6 * 60_000;

/**
 * How long to wait before replacing failed pods (backoffRecord.getRemainingTime):
 * 10 s after the first failure since the last success, doubling per further
 * failure, capped at 6 minutes, counted from the last failure. 0 when free to create.
 */
export function podBackoffRemainingMs(succeeded: KubeObject[], failed: KubeObject[], now: number): number {
  const lastSuccess = Math.max(-Infinity, ...succeeded.map(finishedAt));
  const failures = failed.map(finishedAt).filter((t) => t > lastSuccess);
  if (failures.length === 0) return 0;
  const delay = backoffDelay(failures.length - 1, { base: POD_BACKOFF_BASE_MS, cap: POD_BACKOFF_MAX_MS });
  const since = now - Math.max(...failures);
  return since >= delay ? 0 : delay - since;
}
