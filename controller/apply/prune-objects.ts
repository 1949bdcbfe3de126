import type { KubernetesObject } from '@kubernetes/client-node';
import type { AppliedObject } from './applied-object.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { callClusterOrAbsent, type CallContext } from '../clusters/cluster-call.js';
import { inPool } from '../clusters/in-pool.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';
import { objectKey, refOf } from '../clusters/object-ref.js';
import { appSelector } from '../apps/track-objects.js';

/**
 * Namespaced kinds an app may have rendered before and no longer does; prune
 * looks for leftovers of these (and of every kind rendered now). Kinds a
 * cluster does not serve are skipped.
 */
const PRUNABLE_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
];

/**
 * Lists in flight at once: enough to hide round trips, few enough that a
 * prune check reuses the connections it has rather than opening (and
 * handshaking) one per kind: 18 at once cost 17 TLS handshakes on both ends.
 */
const LISTS_AT_ONCE = 4;

export interface PruneOptions extends CallContext {
  /** The app whose objects carry `baton.dev/app=<app>`. */
  app: string;
  /** The objects the app renders now: never pruned. */
  keep: readonly KubernetesObject[];
  /** Namespaces to look in. */
  namespaces: readonly string[];
}

/** An object prune would delete. */
export interface PruneCandidate {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** What a prune would do: delete `prune`, out of the app's `live` objects it looked at. */
export interface PrunePlan {
  /** The app's live objects prune considers (those with an owner or being deleted are not counted). */
  live: number;
  prune: PruneCandidate[];
}

/**
 * The live objects labelled as the app's and managed by baton that `keep`
 * does not contain; reads only. Objects with an owner (a Deployment's
 * ReplicaSets, their Pods) belong to their owner, and Namespaces are never
 * pruned: removing one would take everything in it, other apps' objects
 * included.
 */
export async function planPrune(options: PruneOptions): Promise<PrunePlan> {
  const kept = new Set(options.keep.map((o) => objectKey(refOf(o))));
  const kinds = new Map(PRUNABLE_KINDS.map((k) => [`${k.apiVersion}/${k.kind}`, k]));
  for (const o of options.keep) {
    if (!isClusterScoped(o.kind)) kinds.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion!, kind: o.kind! });
  }
  const asks = [...kinds.values()].flatMap(({ apiVersion, kind }) => options.namespaces.map((namespace) => ({ apiVersion, kind, namespace })));
  // In the order asked, whichever answers first: the plan (and a refusal naming its first objects) reads the same each time.
  const lists = await inPool(asks, LISTS_AT_ONCE, async ({ apiVersion, kind, namespace }) => ({
    apiVersion,
    kind,
    live: (await listServed(options, apiVersion, kind, namespace, appSelector(options.app))) ?? [],
  }));
  const plan: PrunePlan = { live: 0, prune: [] };
  for (const { apiVersion, kind, live } of lists) {
    for (const object of live) {
      if (object.metadata?.ownerReferences?.length || object.metadata?.deletionTimestamp) continue;
      plan.live += 1;
      const ref = { ...refOf(object), apiVersion, kind };
      if (!kept.has(objectKey(ref))) plan.prune.push({ apiVersion, kind, namespace: ref.namespace, name: ref.name });
    }
  }
  return plan;
}

/**
 * Deletes what `planPrune` finds: the app's live objects that `keep` does not
 * contain. `planned` is a plan already made for the same app, keep and
 * namespaces (by the sync's prune guard): it is used instead of listing again.
 */
export async function pruneObjects(options: PruneOptions, planned?: PrunePlan): Promise<AppliedObject[]> {
  const { signal } = options;
  const pruned: AppliedObject[] = [];
  for (const { apiVersion, kind, namespace, name } of (planned ?? (await planPrune(options))).prune) {
    signal?.throwIfAborted();
    const ref = { apiVersion, kind, namespace, name };
    const header = { apiVersion, kind, metadata: { name, namespace } };
    const gone = await callClusterOrAbsent(options, 'prune', ref, () => options.target.objects.delete(header, undefined, undefined, undefined, undefined, 'Background'));
    if (gone === undefined) continue;
    pruned.push({ apiVersion, kind, namespace, name, action: 'pruned' });
  }
  return pruned;
}

/** Kinds a target was found not to serve, until when: asking again each sync would cost a discovery request per kind. */
const unserved = new WeakMap<ClusterTarget, Map<string, number>>();
/** A CRD installed later is found within this long. */
const UNSERVED_TTL_MS = 5 * 60_000;

/** The app's live objects of one kind; undefined when the cluster does not serve the kind. */
async function listServed(ctx: CallContext, apiVersion: string, kind: string, namespace: string, selector: string): Promise<KubernetesObject[] | undefined> {
  const ref = { apiVersion, kind, namespace, name: '' };
  const known = unserved.get(ctx.target) ?? new Map<string, number>();
  unserved.set(ctx.target, known);
  const key = `${apiVersion}/${kind}`;
  if ((known.get(key) ?? 0) > Date.now()) return undefined;
  try {
    const list = await callClusterOrAbsent(ctx, 'list', ref, () => ctx.target.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, selector));
    // A 404 here is discovery not knowing the API group.
    if (!list) known.set(key, Date.now() + UNSERVED_TTL_MS);
    return list?.items;
  } catch (err) {
    // client-node's discovery did not find the kind in a served group: nothing of it can exist.
    if (err instanceof ObjectRejectedError && err.data.status === undefined) {
      known.set(key, Date.now() + UNSERVED_TTL_MS);
      return undefined;
    }
    throw err;
  }
}
