import type { KubeObject } from '../../kube/object.js';
import { podReadyCondition } from '../pod-conditions.js';

/** A Job's pods by what they count for. */
export interface JobPods {
  /** Neither finished nor being deleted. */
  active: KubeObject[];
  succeeded: KubeObject[];
  failed: KubeObject[];
  /** Being deleted and not finished yet. */
  terminating: number;
}

export function classifyJobPods(pods: KubeObject[]): JobPods {
  const out: JobPods = { active: [], succeeded: [], failed: [], terminating: 0 };
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') out.succeeded.push(pod);
    else if (phase === 'Failed') out.failed.push(pod);
    else if (pod.metadata.deletionTimestamp) out.terminating++;
    else out.active.push(pod);
  }
  return out;
}

/** getFinishedTime: the last container's finish, else when Ready turned False, else creation. */
export function finishedAt(pod: KubeObject): number {
  let latest: number | undefined;
  for (const s of (pod.status?.containerStatuses ?? []) as Array<{ state?: { terminated?: { finishedAt?: string } } }>) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (Number.isNaN(t)) {
      latest = undefined;
      break;
    }
    latest = Math.max(latest ?? t, t);
  }
  if (latest !== undefined) return latest;
  const ready = podReadyCondition(pod);
  const readyFalse = ready?.status === 'False' ? Date.parse(ready.lastTransitionTime ?? '') : NaN;
  if (!Number.isNaN(readyFalse)) return readyFalse;
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

/** Container restarts of running and pending pods: what restartPolicy OnFailure counts against backoffLimit. */
export function restartsOfActivePods(pods: KubeObject[]): number {
  let total = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase ?? 'Pending';
    if (phase !== 'Running' && phase !== 'Pending') continue;
    for (const list of [pod.status?.initContainerStatuses, pod.status?.containerStatuses]) {
      for (const s of (list ?? []) as Array<{ restartCount?: number }>) total += s.restartCount ?? 0;
    }
  }
  return total;
}
