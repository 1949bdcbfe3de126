import type { KubeObject } from '../../kube/object.js';
import { TerminalError } from '../../kube/reconcile/terminal-error.js';

/** Kubernetes' "no deadline" value for progressDeadlineSeconds. */
export const NO_PROGRESS_DEADLINE = 2147483647;

export type IntOrString = number | string;

/** spec.replicas with apps/v1's default of 1. */
export function desiredReplicas(d: KubeObject): number {
  return d.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function minReadySeconds(d: KubeObject): number {
  return d.spec?.minReadySeconds ?? 0;
}

export function revisionHistoryLimit(d: KubeObject): number {
  return d.spec?.revisionHistoryLimit ?? 10;
}

export function progressDeadlineSeconds(d: KubeObject): number {
  return d.spec?.progressDeadlineSeconds ?? 600;
}

export function hasProgressDeadline(d: KubeObject): boolean {
  return progressDeadlineSeconds(d) !== NO_PROGRESS_DEADLINE;
}

/**
 * An int, or a percentage of `total` rounded up or down
 * (intstr.GetScaledValueFromIntOrPercent).
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean, field: string): number {
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new TerminalError(`${field}: invalid value "${value}": must be an integer or a percentage`, { field, value });
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge (rounded up) and maxUnavailable (rounded down) for `desired`
 * replicas; both 0 would make no progress, so unavailable becomes 1
 * (deploymentutil.ResolveFenceposts).
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true, 'spec.strategy.rollingUpdate.maxSurge');
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false, 'spec.strategy.rollingUpdate.maxUnavailable');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, desiredReplicas(d));
}

/** Pods allowed above spec.replicas; 0 for Recreate. */
export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** Pods allowed to be unavailable; 0 for Recreate or no replicas, never more than spec.replicas. */
export function maxUnavailable(d: KubeObject): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(fenceposts(d).unavailable, desired);
}
