import type { KubeObject } from '../../kube/object.js';
import { revisionOf } from './annotations.js';

type StatusCount = 'replicas' | 'readyReplicas' | 'availableReplicas' | 'terminatingReplicas';

/** spec.replicas of a ReplicaSet (default 1). */
export function rsReplicas(rs: KubeObject): number {
  return rs.spec?.replicas ?? 1;
}

export function rsStatus(rs: KubeObject, field: StatusCount): number {
  return rs.status?.[field] ?? 0;
}

export function filterActive(rss: Array<KubeObject | undefined>): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => rs !== undefined && rsReplicas(rs) > 0);
}

export function sumSpecReplicas(rss: Array<KubeObject | undefined>): number {
  return rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
}

export function sumStatus(rss: Array<KubeObject | undefined>, field: StatusCount): number {
  return rss.reduce((n, rs) => n + (rs ? rsStatus(rs, field) : 0), 0);
}

function created(rs: KubeObject): number {
  return Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
}

/** Oldest first; name breaks ties (controller.ReplicaSetsByCreationTimestamp). */
export function byCreation(a: KubeObject, b: KubeObject): number {
  return created(a) - created(b) || String(a.metadata.name).localeCompare(String(b.metadata.name));
}

/** Larger first; newer first on ties (ReplicaSetsBySizeNewer), for proportional scale-up. */
export function bySizeNewer(a: KubeObject, b: KubeObject): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(b, a);
}

/** Larger first; older first on ties (ReplicaSetsBySizeOlder), for proportional scale-down. */
export function bySizeOlder(a: KubeObject, b: KubeObject): number {
  return rsReplicas(b) - rsReplicas(a) || byCreation(a, b);
}

/** Lowest revision first (ReplicaSetsByRevision), for history pruning. */
export function byRevision(a: KubeObject, b: KubeObject): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}
