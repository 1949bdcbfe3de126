/** Where one workload's rollout stands. */
export interface RolloutState {
  /** `done`: rolled out and available; `failed`: will not get there without a change. */
  state: 'done' | 'progressing' | 'failed';
  /** In kubectl's words, e.g. `1 of 2 updated replicas are available`. */
  message: string;
  /** Pod counts, for progress bars; absent until the controller has observed the spec, and for kinds without replicas. */
  replicas?: ReplicaCounts;
}

/** How far a workload's pods are: `ready` counts pods of the new spec that are ready (available, where the kind says so). */
export interface ReplicaCounts {
  desired: number;
  updated: number;
  ready: number;
}

/** Kinds whose rollout the health gate waits for. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']);

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** The shape read from a live workload (plain JSON from a watch or a typed client-node model: same field names). */
export interface LiveWorkload {
  kind?: string;
  metadata?: { name?: string; generation?: number; deletionTimestamp?: unknown };
  spec?: any;
  status?: any;
}

/**
 * The rollout state of a live workload, by the same rules as `kubectl
 * rollout status` (Deployment, StatefulSet, DaemonSet), and Ready for a
 * ReplicaSet's replicas or a bare Pod.
 */
export function rolloutStatus(object: LiveWorkload): RolloutState {
  switch (object.kind) {
    case 'Deployment':
      return deploymentStatus(object);
    case 'StatefulSet':
      return statefulSetStatus(object);
    case 'DaemonSet':
      return daemonSetStatus(object);
    case 'ReplicaSet':
      return replicaSetStatus(object);
    case 'Pod':
      return podStatus(object);
    default:
      return { state: 'done', message: 'exists' };
  }
}

function observed(object: LiveWorkload): boolean {
  return (object.metadata?.generation ?? 0) <= (object.status?.observedGeneration ?? 0);
}

function deploymentStatus(d: LiveWorkload): RolloutState {
  if (!observed(d)) return progressing('waiting for the deployment spec update to be observed');
  const status = d.status ?? {};
  const progressingCond = (status.conditions as Condition[] | undefined)?.find((c) => c.type === 'Progressing');
  if (progressingCond?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', message: `exceeded its progress deadline${progressingCond.message ? ` (${progressingCond.message})` : ''}` };
  }
  const want = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const counts = { desired: want, updated, ready: Math.min(available, updated) };
  if (updated < want) return progressing(`${updated} out of ${want} new replicas have been updated`, counts);
  if (replicas > updated) return progressing(`${replicas - updated} old replicas are pending termination`, counts);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas are available`, counts);
  return { state: 'done', message: `${available} of ${want} replicas available`, replicas: counts };
}

function statefulSetStatus(s: LiveWorkload): RolloutState {
  if (!observed(s)) return progressing('waiting for the statefulset spec update to be observed');
  const status = s.status ?? {};
  const want = s.spec?.replicas ?? 1;
  const ready = status.readyReplicas ?? 0;
  const counts = { desired: want, updated: status.updatedReplicas ?? 0, ready };
  if (ready < want) return progressing(`${ready} of ${want} pods are ready`, counts);
  if (s.spec?.updateStrategy?.type === 'RollingUpdate' && s.spec.updateStrategy.rollingUpdate?.partition) {
    const partitioned = want - s.spec.updateStrategy.rollingUpdate.partition;
    if ((status.updatedReplicas ?? 0) < partitioned) return progressing(`${status.updatedReplicas ?? 0} of ${partitioned} updated pods are ready`, counts);
    return { state: 'done', message: `partitioned roll out complete: ${status.updatedReplicas ?? 0} new pods have been updated`, replicas: counts };
  }
  if (status.updateRevision !== status.currentRevision) {
    return progressing(`${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision}`, counts);
  }
  return { state: 'done', message: `${ready} of ${want} pods ready`, replicas: counts };
}

function daemonSetStatus(ds: LiveWorkload): RolloutState {
  if (!observed(ds)) return progressing('waiting for the daemon set spec update to be observed');
  const status = ds.status ?? {};
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  const counts = { desired, updated, ready: Math.min(available, updated) };
  if (updated < desired) return progressing(`${updated} out of ${desired} new pods have been updated`, counts);
  if (available < desired) return progressing(`${available} of ${desired} updated pods are available`, counts);
  return { state: 'done', message: `${available} of ${desired} pods available`, replicas: counts };
}

function replicaSetStatus(rs: LiveWorkload): RolloutState {
  if (!observed(rs)) return progressing('waiting for the replica set spec update to be observed');
  const want = rs.spec?.replicas ?? 1;
  const available = rs.status?.availableReplicas ?? 0;
  const counts = { desired: want, updated: rs.status?.replicas ?? 0, ready: available };
  if (available < want) return progressing(`${available} of ${want} replicas are available`, counts);
  return { state: 'done', message: `${available} of ${want} replicas available`, replicas: counts };
}

function podStatus(p: LiveWorkload): RolloutState {
  const status = p.status ?? {};
  if (status.phase === 'Succeeded') return { state: 'done', message: 'completed' };
  if (status.phase === 'Failed') return { state: 'failed', message: `failed${status.reason ? ` (${status.reason})` : ''}` };
  const ready = (status.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { state: 'done', message: 'ready', replicas: { desired: 1, updated: 1, ready: 1 } };
  return progressing(status.phase === 'Pending' ? 'pending' : 'not ready', { desired: 1, updated: 1, ready: 0 });
}

function progressing(message: string, replicas?: ReplicaCounts): RolloutState {
  return replicas ? { state: 'progressing', message, replicas } : { state: 'progressing', message };
}
