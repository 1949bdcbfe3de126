import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { HealthStatus } from '../apps/app-spec.js';
import { classifyApiError, isNotFoundError } from '../clusters/classify-api-error.js';
import { describeObject } from '../clusters/object-ref.js';
import { bounded } from '../clusters/bounded-request.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { workloadPods, type WorkloadWithMeta } from './diagnose-pods.js';
import { podTrouble } from './pod-trouble.js';
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
 * past its deadline, a workload with a crash-looping, restarting or failed
 * pod, a failed Job), Progressing while it converges, Healthy otherwise.
 */
export async function assessHealth(target: ClusterTarget, objects: readonly KubernetesObject[], namespace = 'default'): Promise<HealthStatus> {
  return (await assessAppHealth(target, objects, namespace)).status;
}

/**
 * As assessHealth, with why: the least healthy object and what it says, e.g. `Deployment shop/web: pod web-6d…: container web is crash-looping …`.
 * `live`: objects the caller has just read (a drift check's), used instead of reading them again; an object not among them is read.
 */
export async function assessAppHealth(
  target: ClusterTarget,
  objects: readonly KubernetesObject[],
  namespace = 'default',
  live: readonly KubernetesObject[] = [],
): Promise<{ status: HealthStatus; message: string }> {
  const assessed = await assessObjects(target, objects, namespace, live);
  const status = worstOf(assessed.map((o) => o.status));
  const worst = assessed.find((o) => o.status === status);
  return { status, message: worst && status !== 'Healthy' ? `${describeObject({ ...worst, namespace: worst.namespace ?? '' })}: ${worst.message}` : '' };
}

/** Each object's health (from its counterpart in `live` when there is one, else read); throws a classified error when the cluster cannot be read. */
export async function assessObjects(
  target: ClusterTarget,
  objects: readonly KubernetesObject[],
  namespace = 'default',
  live: readonly KubernetesObject[] = [],
): Promise<ObjectHealth[]> {
  const known = new Map(live.map((o) => [refKey(o.apiVersion, o.kind, o.metadata?.namespace, o.metadata?.name), o]));
  return Promise.all(
    objects.map(async (o) => {
      const ref = {
        apiVersion: o.apiVersion ?? 'v1',
        kind: o.kind ?? '',
        namespace: isClusterScoped(o.kind) ? undefined : (o.metadata?.namespace ?? namespace),
        name: o.metadata?.name ?? '',
      };
      try {
        const live =
          known.get(refKey(ref.apiVersion, ref.kind, ref.namespace, ref.name)) ??
          (await bounded(target.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } })));
        // A workload's counts lag and never show a pod that crashes between probes: its pods are read too.
        const pods = WORKLOAD_KINDS.has(ref.kind) && ref.kind !== 'Pod' ? await bounded(workloadPods(target, live as WorkloadWithMeta)).catch(() => []) : [];
        return { ...ref, ...objectHealth(live, pods) };
      } catch (err) {
        if (isNotFoundError(err)) return { ...ref, status: 'Missing' as const, message: 'does not exist' };
        throw classifyApiError(err, target.name, ref, 'read');
      }
    }),
  );
}

const refKey = (apiVersion = '', kind = '', namespace = '', name = '') => `${apiVersion}/${kind}/${namespace}/${name}`;

/**
 * The health of one live object; a workload's is also judged by `pods`, its
 * current pods (a Pod is judged by itself): one that crash-loops, restarts or
 * failed makes it Degraded, whatever its rollout says.
 */
export function objectHealth(live: KubernetesObject & { spec?: any; status?: any }, pods: readonly V1Pod[] = [], now = Date.now()): Pick<ObjectHealth, 'status' | 'message'> {
  if (live.metadata?.deletionTimestamp) return { status: 'Progressing', message: 'being deleted' };
  if (WORKLOAD_KINDS.has(live.kind ?? '')) {
    const rollout = rolloutStatus(live as LiveWorkload);
    if (rollout.state === 'failed') return { status: 'Degraded', message: rollout.message };
    const trouble = (live.kind === 'Pod' ? [live as V1Pod] : pods).map((p) => podTrouble(p, now)).find((t) => t !== undefined);
    if (trouble) return { status: 'Degraded', message: live.kind === 'Pod' ? trouble.replace(/^pod [^:]*: /, '') : trouble };
    return { status: rollout.state === 'done' ? 'Healthy' : 'Progressing', message: rollout.message };
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
