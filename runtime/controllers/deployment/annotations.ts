import type { KubeObject } from '../../kube/object.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

// Deployment annotations that describe the Deployment itself and so are not copied to its ReplicaSets.
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** The revision number of a ReplicaSet or Deployment; 0 when unset or unparsable. */
export function revisionOf(obj: KubeObject): number {
  const v = obj.metadata.annotations?.[REVISION];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(rss: KubeObject[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function annotationsOf(obj: KubeObject): Record<string, string> {
  obj.metadata.annotations ??= {};
  return obj.metadata.annotations;
}

/** Copies the Deployment's own annotations (e.g. kubernetes.io/change-cause) onto the RS. Returns whether anything changed. */
export function copyDeploymentAnnotations(d: KubeObject, rs: KubeObject): boolean {
  let changed = false;
  const target = annotationsOf(rs);
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  if (!replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  const a = annotationsOf(rs);
  a[DESIRED_REPLICAS] = String(desired);
  a[MAX_REPLICAS] = String(max);
  return true;
}

/** The desired-replicas annotation, when present and numeric. */
export function desiredReplicasAnnotation(rs: KubeObject): number | undefined {
  const v = rs.metadata.annotations?.[DESIRED_REPLICAS];
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

export function maxReplicasAnnotation(rs: KubeObject): number | undefined {
  const v = rs.metadata.annotations?.[MAX_REPLICAS];
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Annotations of the new ReplicaSet (deploymentutil.SetNewReplicaSetAnnotations):
 * copied Deployment annotations, the revision raised to `newRevision` (the old one
 * appended to revision-history when an old RS becomes new again, e.g. on rollback),
 * and for a new RS the replica annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: KubeObject,
  rs: KubeObject,
  newRevision: number,
  exists: boolean,
  desired: number,
  max: number,
): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = annotationsOf(rs);
  const old = a[REVISION];
  const oldN = old === undefined ? 0 : Number.parseInt(old, 10);
  if (!Number.isFinite(oldN)) return changed;
  if (oldN < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (old !== undefined && old !== '') {
      a[REVISION_HISTORY] = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${old}` : old;
    }
  }
  if (!exists && setReplicasAnnotations(rs, desired, max)) changed = true;
  return changed;
}
