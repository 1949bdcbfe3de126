import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../../kube/object.js';
import { findByKind, resources } from '../../resources/registry.js';
import { controllerRefOf } from '../controller-ref.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { done, requeueAfter, splitKey, startReconciler, type ReconcileResult, type ReconcilerLogger, type RunningReconciler } from '../reconciler.js';
import { budgetStatus, countHealthy, expectedCounts, failSafeStatus, liveDisruptedPods, pdbSelects } from './disruption-budget.js';

const COMPONENT = 'controllermanager';

export interface DisruptionControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
}

/** Keeps each PodDisruptionBudget's status (healthy pods, desired, disruptions allowed) current; the eviction API reads it. */
export function startDisruptionController(options: DisruptionControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const budgetsIn = async (namespace: string | undefined, pod?: KubeObject) =>
    (await cluster.list(resources.poddisruptionbudgets, { namespace })).items
      .filter((pdb) => !pod || pdbSelects(pdb, pod))
      .map((pdb) => `${pdb.metadata.namespace}/${pdb.metadata.name}`);
  const scaleChanged = (e: WatchEvent) => budgetsIn(e.object.metadata.namespace);
  return startReconciler({
    name: 'disruption-controller',
    cluster,
    primary: resources.poddisruptionbudgets,
    logger: options.logger,
    reconcile: (key) => reconcileDisruptionBudget(cluster, key),
    watches: [
      { type: resources.pods, keysFor: (e) => budgetsIn(e.object.metadata.namespace, e.object) },
      { type: resources.deployments, keysFor: scaleChanged },
      { type: resources.replicasets, keysFor: scaleChanged },
      { type: resources.replicationcontrollers, keysFor: scaleChanged },
      { type: resources.statefulsets, keysFor: scaleChanged },
    ],
  });
}

export async function reconcileDisruptionBudget(cluster: Cluster, key: string, now = Date.now()): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let pdb: KubeObject;
  try {
    pdb = await cluster.get(resources.poddisruptionbudgets, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  const pods = (await cluster.list(resources.pods, { namespace })).items.filter((p) => pdbSelects(pdb, p));
  const { disrupted, recheckInMs } = liveDisruptedPods(pdb, pods, now);
  let scaleError: unknown;
  let counts: { expectedPods: number; desiredHealthy: number } = { expectedPods: 0, desiredHealthy: 0 };
  try {
    const scales = await controllerScales(cluster, pods);
    counts = expectedCounts(pdb, pods.length, () => scales());
  } catch (err) {
    scaleError = err;
  }
  const status =
    scaleError === undefined
      ? budgetStatus(pdb, { ...counts, currentHealthy: countHealthy(pods, disrupted) }, disrupted, now)
      : failSafeStatus(pdb, scaleError instanceof Error ? scaleError.message : String(scaleError), now);
  await writeBudgetStatus(cluster, pdb, status);
  if (scaleError !== undefined) throw scaleError;
  return recheckInMs !== undefined ? requeueAfter(recheckInMs) : done;
}

/**
 * getExpectedScale, read lazily: the summed replicas of the distinct
 * controllers of the pods (a Deployment for pods of its ReplicaSets, else the
 * ReplicaSet, ReplicationController, StatefulSet, or any kind with a scale
 * subresource). Pods without a controller are left out, as Kubernetes does.
 */
async function controllerScales(cluster: Cluster, pods: KubeObject[]): Promise<() => number> {
  const seen = new Map<string, number>();
  let failure: Error | undefined;
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (!ref || seen.has(ref.uid)) continue;
    const scale = await scaleOf(cluster, String(pod.metadata.namespace), ref);
    if (scale === undefined) {
      failure ??= new Error(`found no controllers for pod "${pod.metadata.name}"`);
      continue;
    }
    seen.set(ref.uid, scale);
  }
  return () => {
    if (failure) throw failure;
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
}

async function scaleOf(cluster: Cluster, namespace: string, ref: { apiVersion: string; kind: string; name: string; uid: string }): Promise<number | undefined> {
  const type = findByKind(ref.apiVersion, ref.kind);
  if (!type || !(type.subresources as string[]).includes('scale')) return undefined;
  const owner = await cluster.get(type, namespace, ref.name).catch(() => undefined);
  if (!owner || owner.metadata.uid !== ref.uid) return undefined;
  const parent = type === resources.replicasets ? controllerRefOf(owner) : undefined;
  if (parent?.kind === 'Deployment') {
    const deployment = await cluster.get(resources.deployments, namespace, parent.name).catch(() => undefined);
    if (deployment && deployment.metadata.uid === parent.uid) return deployment.spec?.replicas ?? 1;
  }
  return owner.spec?.replicas ?? 1;
}

/**
 * Unlike other controllers' status writes, this one keeps the resourceVersion:
 * the eviction API writes the same status (a disruption taken, a pod
 * remembered), and a budget computed before that write must not undo it. A
 * conflict throws, and the reconcile runs again on the fresh budget.
 */
async function writeBudgetStatus(cluster: Cluster, pdb: KubeObject, status: Record<string, unknown>): Promise<void> {
  if (semanticEqual(status, pdb.status ?? {})) return;
  try {
    await cluster.update(resources.poddisruptionbudgets, { ...pdb, status }, { status: true, fieldManager: COMPONENT });
  } catch (err: any) {
    if (err?.code !== 404) throw err;
  }
}
