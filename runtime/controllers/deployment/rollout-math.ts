import type { KubeObject } from '../../kube/object.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './annotations.js';
import { desiredReplicas, isRollingUpdate, maxSurge, maxUnavailable } from './deployment-spec.js';
import {
  byCreation,
  bySizeNewer,
  bySizeOlder,
  filterActive,
  rsReplicas,
  rsStatus,
  sumSpecReplicas,
  sumStatus,
} from './replica-sets.js';

/** name → new spec.replicas. */
export type ScalePlan = Map<string, number>;

/**
 * The size the new ReplicaSet may grow to now (deploymentutil.NewRSNewReplicas):
 * a rolling update fills the surge room up to spec.replicas; Recreate goes straight to it.
 */
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = sumSpecReplicas(allRSs);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, desired - rsReplicas(newRS));
  return rsReplicas(newRS) + scaleUp;
}

/**
 * How far old ReplicaSets may shrink in one rolling step (rolling.go's
 * reconcileOldReplicaSets): first their unavailable pods go (oldest RS
 * first, never dipping below the availability floor counting the new RS's
 * unavailable pods), then available pods above spec.replicas - maxUnavailable.
 */
export function planOldScaleDown(d: KubeObject, oldRSs: KubeObject[], newRS: KubeObject | undefined): ScalePlan {
  const plan: ScalePlan = new Map();
  const size = (rs: KubeObject): number => plan.get(String(rs.metadata.name)) ?? rsReplicas(rs);
  if (sumSpecReplicas(oldRSs) === 0) return plan;

  const allPods = sumSpecReplicas(oldRSs) + (newRS ? rsReplicas(newRS) : 0);
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = newRS ? rsReplicas(newRS) - rsStatus(newRS, 'availableReplicas') : 0;
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return plan;

  const sorted = [...oldRSs].sort(byCreation);
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const replicas = rsReplicas(rs);
    if (replicas === 0) continue;
    const unhealthy = replicas - rsStatus(rs, 'availableReplicas');
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    plan.set(String(rs.metadata.name), replicas - down);
    cleaned += down;
  }

  const available = sumStatus([...oldRSs, newRS], 'availableReplicas');
  if (available <= minAvailable) return plan;
  const total = available - minAvailable;
  let scaled = 0;
  for (const rs of sorted) {
    if (scaled >= total) break;
    const replicas = size(rs);
    if (replicas === 0) continue;
    const down = Math.min(replicas, total - scaled);
    plan.set(String(rs.metadata.name), replicas - down);
    scaled += down;
  }
  return plan;
}

/** The new RS runs spec.replicas, all available, and knows it (deploymentutil.IsSaturated). */
export function isSaturated(d: KubeObject, newRS: KubeObject | undefined): boolean {
  if (!newRS) return false;
  const desired = desiredReplicas(d);
  return rsReplicas(newRS) === desired && desiredReplicasAnnotation(newRS) === desired && rsStatus(newRS, 'availableReplicas') === desired;
}

/** The only active RS, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  if (all.length === 0) return undefined;
  const active = filterActive(all);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRS ?? [...all].sort(byCreation)[all.length - 1];
}

/**
 * The share of a replica-count change that falls to `rs`, by its size relative
 * to what its max-replicas annotation recorded (getReplicaSetFraction).
 */
function fraction(rs: KubeObject, d: KubeObject): number {
  const desired = desiredReplicas(d);
  if (desired === 0) return -rsReplicas(rs);
  const deploymentReplicas = desired + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? (d.status?.replicas ?? 0);
  if (annotated === 0) return 0;
  return Math.round((rsReplicas(rs) * deploymentReplicas) / annotated) - rsReplicas(rs);
}

function proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = fraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/**
 * Sizes for a scaling event (sync.go's scale): one active RS takes the new
 * size; a saturated new RS leaves old ones at 0; during a rolling update the
 * change is spread over active RSs in proportion to their size, leftovers to
 * the largest. Returns an empty plan when nothing should change.
 */
export function planScale(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): ScalePlan {
  const plan: ScalePlan = new Map();
  const desired = desiredReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    // A stale desired-replicas annotation alone is included too: left alone it would read as a scaling event forever.
    if (rsReplicas(single) !== desired || desiredReplicasAnnotation(single) !== desired) plan.set(String(single.metadata.name), desired);
    return plan;
  }
  if (isSaturated(d, newRS)) {
    for (const rs of filterActive(oldRSs)) plan.set(String(rs.metadata.name), 0);
    return plan;
  }
  if (!isRollingUpdate(d)) return plan;

  const all = filterActive([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(all);
  if (toAdd === 0) return plan;
  all.sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  let added = 0;
  const sizes = all.map((rs) => {
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return rsReplicas(rs) + p;
  });
  sizes[0] = Math.max(0, sizes[0] + (toAdd - added));
  all.forEach((rs, i) => plan.set(String(rs.metadata.name), sizes[i]));
  return plan;
}
