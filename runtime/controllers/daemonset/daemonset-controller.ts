import type { Cluster } from '../../objects/cluster.js';
import { recordEvent } from '../../objects/record-event.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { selectorIsEmpty, type LabelSelector } from '../../kube/label-selector.js';
import { TerminalError } from '../../kube/reconcile/terminal-error.js';
import { claimChildren } from '../claim-children.js';
import { podOwnerKeys } from '../pod-owner-keys.js';
import { isPodTerminal } from '../pod-conditions.js';
import { computePodTemplateHash } from '../deployment/pod-template-hash.js';
import { writeOwnStatus } from '../write-status.js';
import { done, requeueAfter, splitKey, startReconciler, type ReconcileResult, type ReconcilerLogger, type RunningReconciler } from '../reconciler.js';
import { syncRevisions } from '../statefulset/controller-revisions.js';
import { daemonSetStatus, planDaemonSet, REVISION_HASH_LABEL } from './daemon-plan.js';
import { daemonPod } from './daemon-pod.js';

const COMPONENT = 'daemonset-controller';

export interface DaemonSetControllerOptions {
  cluster: Cluster;
  /** @defaultValue the reconcilers' default logger */
  logger?: ReconcilerLogger;
}

/** Runs one pod of each DaemonSet on every node that should run it, and rolls it on a template change. */
export function startDaemonSetController(options: DaemonSetControllerOptions): Promise<RunningReconciler> {
  const { cluster } = options;
  const allDaemonSets = async () => (await cluster.list(resources.daemonsets)).items.map((ds) => `${ds.metadata.namespace}/${ds.metadata.name}`);
  return startReconciler({
    name: COMPONENT,
    cluster,
    primary: resources.daemonsets,
    logger: options.logger,
    reconcile: (key) => reconcileDaemonSet(cluster, key),
    watches: [
      { type: resources.pods, keysFor: (e) => podOwnerKeys(cluster, resources.daemonsets, e) },
      // A node's labels or taints decide which DaemonSets it runs.
      { type: resources.nodes, keysFor: () => allDaemonSets() },
    ],
  });
}

export async function reconcileDaemonSet(cluster: Cluster, key: string, now = Date.now()): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  let ds: KubeObject;
  try {
    ds = await cluster.get(resources.daemonsets, namespace, name);
  } catch (err: any) {
    if (err?.code === 404) return done;
    throw err;
  }
  const selector = ds.spec?.selector as LabelSelector | undefined;
  if (selectorIsEmpty(selector)) throw new TerminalError(`DaemonSet ${namespace}/${name} has an empty selector`);
  const nodes = (await cluster.list(resources.nodes)).items;
  const hash = computePodTemplateHash(ds.spec?.template, ds.status?.collisionCount);
  const pods = await claimedPods(cluster, ds, selector!);
  let after = pods;
  if (!ds.metadata.deletionTimestamp) {
    // History for `kubectl rollout history|undo`, in the ControllerRevisions a StatefulSet keeps too.
    await syncRevisions(cluster, ds, new Set(pods.map((p) => `${name}-${p.metadata.labels?.[REVISION_HASH_LABEL]}`)));
    const plan = planDaemonSet(ds, nodes, pods, hash, now);
    await Promise.all(plan.deletes.map((pod) => deletePod(cluster, ds, pod)));
    await Promise.all(plan.createOn.map((node) => createPod(cluster, ds, node, hash)));
    if (plan.deletes.length + plan.createOn.length > 0) after = await claimedPods(cluster, ds, selector!);
  }
  const { status, availableInMs } = daemonSetStatus(ds, nodes, after, hash, now);
  await writeOwnStatus(cluster, resources.daemonsets, ds, status, COMPONENT);
  return availableInMs !== undefined ? requeueAfter(availableInMs) : done;
}

async function claimedPods(cluster: Cluster, ds: KubeObject, selector: LabelSelector): Promise<KubeObject[]> {
  const all = (await cluster.list(resources.pods, { namespace: ds.metadata.namespace })).items;
  return claimChildren(cluster, resources.pods, ds, selector, all.filter((p) => !(p.metadata.deletionTimestamp && isPodTerminal(p))));
}

async function createPod(cluster: Cluster, ds: KubeObject, node: string, hash: string): Promise<void> {
  try {
    const pod = await cluster.create(resources.pods, daemonPod(ds, node, hash));
    await recordEvent(cluster, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, COMPONENT);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    await recordEvent(cluster, ds, 'Warning', 'FailedCreate', `Error creating: ${msg}`, COMPONENT);
    throw err;
  }
}

async function deletePod(cluster: Cluster, ds: KubeObject, pod: KubeObject): Promise<void> {
  if (pod.status?.phase === 'Failed') {
    await recordEvent(cluster, ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${pod.spec?.nodeName ?? ''}, will try to kill it`, COMPONENT);
  }
  try {
    await cluster.delete(resources.pods, pod.metadata.namespace, String(pod.metadata.name), { preconditions: { uid: pod.metadata.uid } });
    await recordEvent(cluster, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, COMPONENT);
  } catch (err: any) {
    if (err?.code !== 404) throw err;
  }
}
