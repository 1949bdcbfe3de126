import type { KubernetesObject } from '@kubernetes/client-node';
import type { HealthStatus } from '../apps/app-spec.js';
import { classifyApiError, isNotFoundError } from '../clusters/classify-api-error.js';
import { isClusterScoped } from '../apply/apply-order.js';
import { bounded } from '../clusters/bounded-request.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { containerProblem } from './diagnose-pods.js';
import { rolloutStatus, WORKLOAD_KINDS, type LiveWorkload } from './rollout-status.js';

export interface ObjectHealth {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  status: Exclude<HealthStatus, 'Unknown'>;
  message: string;
}

/** Worse statuses later, as Argo CD orders them: an app is as healthy as its least healthy object. */
const ORDER: ReadonlyArray<HealthStatus> = ['Healthy', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export function worstOf(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = 'Healthy';
  for (const s of statuses) if (ORDER.indexOf(s) > ORDER.indexOf(worst)) worst = s;
  return worst;
}

/**
 * The health of an app's objects for status display, with Argo CD's meaning:
 * Missing when an object does not exist, Degraded when it failed (a rollout
 * past its deadline, a crash-looping or failed pod, a failed Job), Progressing
 * while it converges, Healthy otherwise.
 */
export async function assessHealth(target: ClusterTarget, objects: readonly KubernetesObject[], namespace = 'default'): Promise<HealthStatus> {
  return worstOf((await assessObjects(target, objects, namespace)).map((o) => o.status));
}

/** Each object's health; throws a classified error when the cluster cannot be read. */
export async function assessObjects(target: ClusterTarget, objects: readonly KubernetesObject[], namespace = 'default'): Promise<ObjectHealth[]> {
  return Promise.all(
    objects.map(async (o) => {
      const ref = {
        apiVersion: o.apiVersion ?? 'v1',
        kind: o.kind ?? '',
        namespace: isClusterScoped(o.kind) ? undefined : (o.metadata?.namespace ?? namespace),
        name: o.metadata?.name ?? '',
      };
      try {
        const live = await bounded(target.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } }));
        return { ...ref, ...objectHealth(live) };
      } catch (err) {
        if (isNotFoundError(err)) return { ...ref, status: 'Missing' as const, message: 'does not exist' };
        throw classifyApiError(err, target.name, ref, 'read');
      }
    }),
  );
}

/** The health of one live object. */
export function objectHealth(live: KubernetesObject & { spec?: any; status?: any }): Pick<ObjectHealth, 'status' | 'message'> {
  if (live.metadata?.deletionTimestamp) return { status: 'Progressing', message: 'being deleted' };
  if (live.kind === 'Pod') {
    const statuses = [...(live.status?.initContainerStatuses ?? []), ...(live.status?.containerStatuses ?? [])];
    const crashing = statuses.map(containerProblem).find((p) => p && (p.cause === 'CrashLoopBackOff' || (p.cause === 'Terminated' && live.spec?.restartPolicy === 'Never')));
    if (crashing) return { status: 'Degraded', message: crashing.message };
  }
  if (WORKLOAD_KINDS.has(live.kind ?? '')) {
    const rollout = rolloutStatus(live as LiveWorkload);
    return { status: rollout.state === 'done' ? 'Healthy' : rollout.state === 'failed' ? 'Degraded' : 'Progressing', message: rollout.message };
  }
  if (live.kind === 'PersistentVolumeClaim') {
    const phase = live.status?.phase;
    return { status: phase === 'Bound' ? 'Healthy' : phase === 'Lost' ? 'Degraded' : 'Progressing', message: `phase ${phase ?? 'Pending'}` };
  }
  if (live.kind === 'Job') {
    const conditions: Array<{ type?: string; status?: string; message?: string }> = live.status?.conditions ?? [];
    const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failed) return { status: 'Degraded', message: failed.message ?? 'job failed' };
    if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return { status: 'Healthy', message: 'job completed' };
    return { status: 'Progressing', message: 'job running' };
  }
  return { status: 'Healthy', message: 'exists' };
}
