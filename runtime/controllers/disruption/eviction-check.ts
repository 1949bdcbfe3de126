import { StatusError } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { isPodReady } from '../pod-conditions.js';

/** Evicted pods a budget remembers at most (MaxDisruptedPodSize). */
const MAX_DISRUPTED_PODS = 2000;

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** What an eviction may do: delete the pod outright, or only after taking one disruption from the budget. */
export type EvictionVerdict = { action: 'delete' } | { action: 'decrement'; pdb: KubeObject };

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', VIOLATION, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

/**
 * Kubernetes' eviction rules (registry/core/pod/storage/eviction.go): a pod
 * that is finished, pending or already being deleted goes without a budget;
 * more than one budget is an error; an unready pod goes without a disruption
 * when the budget is healthy (IfHealthyBudget, the default) or always
 * (AlwaysAllow); otherwise the budget must allow a disruption.
 */
export function evictionVerdict(pod: KubeObject, pdbs: KubeObject[]): EvictionVerdict {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) return { action: 'delete' };
  if (pdbs.length === 0) return { action: 'delete' };
  if (pdbs.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const pdb = pdbs[0];
  const st = pdb.status ?? {};
  if (!isPodReady(pod)) {
    const policy = pdb.spec?.unhealthyPodEvictionPolicy ?? 'IfHealthyBudget';
    if (policy === 'AlwaysAllow') return { action: 'delete' };
    if ((st.desiredHealthy ?? 0) > 0 && (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0)) return { action: 'delete' };
  }
  return { action: 'decrement', pdb };
}

/** checkAndDecrement: the budget with one disruption taken for `podName`, or why none may be taken. */
export function decrementedBudget(pdb: KubeObject, podName: string, now: Date): KubeObject {
  const st = pdb.status ?? {};
  const name = pdb.metadata.name;
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  const allowed = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw new StatusError(403, 'Forbidden', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
  const next = structuredClone(pdb);
  next.status = {
    ...st,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...(st.disruptedPods ?? {}), [podName]: now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
  return next;
}
