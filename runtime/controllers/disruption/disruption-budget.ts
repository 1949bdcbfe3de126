import type { KubeObject } from '../../kube/object.js';
import { selectorMatches } from '../../kube/label-selector.js';
import { isPodReady } from '../pod-conditions.js';

/** How long an evicted pod may take to be deleted before the budget stops counting it as disrupted (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export interface PdbCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface PdbStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PdbCondition[];
  [field: string]: unknown;
}

/** policy/v1: an empty selector selects every pod of the namespace, an absent one none. */
export function pdbSelects(pdb: KubeObject, pod: KubeObject): boolean {
  if (pod.metadata.namespace !== pdb.metadata.namespace) return false;
  const selector = pdb.spec?.selector;
  if (!selector) return false;
  return selectorMatches(selector, pod.metadata.labels);
}

/** An int, or a percentage of `total` rounded up (intstr.GetScaledValueFromIntOrPercent with roundUp, as the disruption controller uses it). */
export function scaledUp(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or percentage`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * expectedPods and desiredHealthy (getExpectedPodCount): maxUnavailable and a
 * percentage minAvailable count from the controllers' scale (`expectedScale`,
 * asked for only then), an integer minAvailable from the pods selected.
 */
export function expectedCounts(pdb: KubeObject, podCount: number, expectedScale: () => number): { expectedPods: number; desiredHealthy: number } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expectedPods = expectedScale();
    return { expectedPods, desiredHealthy: Math.max(0, expectedPods - scaledUp(maxUnavailable, expectedPods)) };
  }
  if (typeof minAvailable === 'number') return { expectedPods: podCount, desiredHealthy: minAvailable };
  if (typeof minAvailable === 'string') {
    const expectedPods = expectedScale();
    return { expectedPods, desiredHealthy: scaledUp(minAvailable, expectedPods) };
  }
  return { expectedPods: 0, desiredHealthy: 0 };
}

/**
 * The evicted pods still counted as disrupted (buildDisruptedPodMap): those
 * not yet being deleted and evicted less than DeletionTimeout ago; and when
 * the next of them times out.
 */
export function liveDisruptedPods(pdb: KubeObject, pods: KubeObject[], now: number): { disrupted: Record<string, string>; recheckInMs?: number } {
  const disrupted: Record<string, string> = {};
  let recheckInMs: number | undefined;
  const byName = new Map(pods.map((p) => [String(p.metadata.name), p]));
  for (const [name, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (Number.isNaN(expires) || expires <= now) continue;
    disrupted[name] = at;
    recheckInMs = Math.min(recheckInMs ?? Infinity, expires - now);
  }
  return { disrupted, recheckInMs };
}

/** countHealthyPods: ready, not being deleted, not evicted a moment ago. */
export function countHealthy(pods: KubeObject[], disrupted: Record<string, string>): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && !(String(p.metadata.name) in disrupted) && isPodReady(p)).length;
}

const stamp = (now: number) => new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The DisruptionAllowed condition, its transition time kept while its status holds. */
export function disruptionAllowedCondition(pdb: KubeObject, allowed: boolean, reason: string, message: string, now: number): PdbCondition {
  const before = ((pdb.status?.conditions ?? []) as PdbCondition[]).find((c) => c.type === 'DisruptionAllowed');
  const status = allowed ? 'True' : 'False';
  return {
    type: 'DisruptionAllowed',
    status,
    observedGeneration: pdb.metadata.generation,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : stamp(now),
    reason,
    message,
  };
}

/** updatePdbStatus: disruptionsAllowed = currentHealthy - desiredHealthy (not below 0), with the condition that says so. */
export function budgetStatus(pdb: KubeObject, counts: { currentHealthy: number; desiredHealthy: number; expectedPods: number }, disrupted: Record<string, string>, now: number): PdbStatus {
  const disruptionsAllowed = Math.max(0, counts.currentHealthy - counts.desiredHealthy);
  const status: PdbStatus = {
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed,
    currentHealthy: counts.currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedPods,
    conditions: [disruptionAllowedCondition(pdb, disruptionsAllowed > 0, disruptionsAllowed > 0 ? 'SufficientPods' : 'InsufficientPods', '', now)],
  };
  if (Object.keys(disrupted).length > 0) status.disruptedPods = disrupted;
  return status;
}

/** failSafe: no disruption allowed while the budget cannot be computed, the rest of the status kept. */
export function failSafeStatus(pdb: KubeObject, message: string, now: number): PdbStatus {
  const before = (pdb.status ?? {}) as Partial<PdbStatus>;
  return {
    currentHealthy: before.currentHealthy ?? 0,
    desiredHealthy: before.desiredHealthy ?? 0,
    expectedPods: before.expectedPods ?? 0,
    ...(before.disruptedPods ? { disruptedPods: before.disruptedPods } : {}),
    observedGeneration: pdb.metadata.generation,
    disruptionsAllowed: 0,
    conditions: [disruptionAllowedCondition(pdb, false, 'SyncFailed', message, now)],
  };
}
