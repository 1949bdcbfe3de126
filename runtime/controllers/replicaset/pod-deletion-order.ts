import type { KubeObject } from '../../kube/object.js';
import { isPodReady, maxRestarts, podReadyCondition } from '../pod-conditions.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function time(s: string | undefined): number {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/**
 * Orders pods so that the ones to delete first come first, as
 * controller.ActivePods: unscheduled before scheduled, Pending before
 * Unknown before Running, not ready before ready, ready for less time
 * first, more restarts first, younger first.
 */
export function deletionOrder(a: KubeObject, b: KubeObject): number {
  const aNode = a.spec?.nodeName ? 1 : 0;
  const bNode = b.spec?.nodeName ? 1 : 0;
  if (aNode !== bNode) return aNode - bNode;
  const aPhase = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const bPhase = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (aPhase !== bPhase) return aPhase - bPhase;
  const aReady = isPodReady(a) ? 1 : 0;
  const bReady = isPodReady(b) ? 1 : 0;
  if (aReady !== bReady) return aReady - bReady;
  if (aReady && bReady) {
    const aSince = time(podReadyCondition(a)?.lastTransitionTime);
    const bSince = time(podReadyCondition(b)?.lastTransitionTime);
    if (aSince !== bSince) return bSince - aSince;
  }
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts !== 0) return restarts;
  const aCreated = time(a.metadata.creationTimestamp);
  const bCreated = time(b.metadata.creationTimestamp);
  if (aCreated !== bCreated) return bCreated - aCreated;
  return String(a.metadata.name).localeCompare(String(b.metadata.name));
}
