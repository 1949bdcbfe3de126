import type { KubeObject } from '../../kube/object.js';
import { isPodReady, isPodTerminal, podAvailability } from '../pod-conditions.js';
import { nodeEligibility } from './node-eligibility.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export interface DaemonPlan {
  /** Pods to delete: on nodes that should not run them, failed, duplicates, or replaced by the rollout. */
  deletes: KubeObject[];
  /** Nodes that get a new pod from the current template. */
  createOn: string[];
}

/** The node a daemon pod is for: its nodeName, or the node its required affinity names before it is bound. */
export function targetNode(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** Oldest first, as podByCreationTimestampAndPhase orders a node's daemon pods. */
function byAge(a: KubeObject, b: KubeObject): number {
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  if (ta !== tb) return ta < tb ? -1 : 1;
  return String(a.metadata.name) < String(b.metadata.name) ? -1 : 1;
}

/** Each node's daemon pods, oldest first; pods meant for no known node are left out. */
export function podsByNode(nodes: KubeObject[], pods: KubeObject[]): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>(nodes.map((n) => [String(n.metadata.name), []]));
  // With one node, a pod not yet bound belongs to it.
  const only = nodes.length === 1 ? String(nodes[0].metadata.name) : undefined;
  for (const pod of pods) {
    const node = targetNode(pod) ?? only;
    if (node !== undefined) out.get(node)?.push(pod);
  }
  for (const list of out.values()) list.sort(byAge);
  return out;
}

export function isUpdated(pod: KubeObject, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  if (labels[REVISION_HASH_LABEL] !== undefined) return labels[REVISION_HASH_LABEL] === hash;
  return generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
}

/** An int or a percentage of `total`, rounded up (the DaemonSet controller rounds both maxSurge and maxUnavailable up). */
function scaled(value: unknown, total: number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value ?? ''));
  return m ? Math.ceil((Number(m[1]) * total) / 100) : 0;
}

/** maxSurge and maxUnavailable for `desired` nodes (updatedDesiredNodeCounts): both 0 would stall, so unavailable becomes 1. */
export function surgeAndUnavailable(ds: KubeObject, desired: number): { surge: number; unavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
  const surge = scaled(ru.maxSurge ?? 0, desired);
  let unavailable = scaled(ru.maxUnavailable ?? 1, desired);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * One pass of the DaemonSet controller (manage, then rollingUpdate), over
 * `pods`: the DaemonSet's pods not yet finished-and-deleted.
 * Kept from Kubernetes: failed pods are deleted (and recreated next pass);
 * duplicates beyond the oldest are deleted (with surge, the oldest updated one
 * and the oldest old one stay); nodes that should not run the pod lose it;
 * RollingUpdate without surge deletes old pods up to maxUnavailable (unavailable
 * old pods at once); with surge it creates the new pod beside the old one up to
 * maxSurge and deletes the old one once the new one is available.
 */
export function planDaemonSet(ds: KubeObject, nodes: KubeObject[], pods: KubeObject[], hash: string, now: number): DaemonPlan {
  const deletes: KubeObject[] = [];
  const createOn: string[] = [];
  const rolling = (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const generation = ds.metadata.generation;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = podsByNode(nodes, pods.filter((p) => !p.metadata.deletionTimestamp));
  const allowSurge = rolling && surgeAndUnavailable(ds, nodes.length).surge > 0;
  const live = new Map<string, KubeObject[]>();
  let desired = 0;
  for (const node of nodes) {
    const name = String(node.metadata.name);
    const { shouldRun, shouldContinueRunning } = nodeEligibility(ds.spec?.template, node);
    const onNode = byNode.get(name) ?? [];
    if (shouldRun) desired++;
    if (!shouldContinueRunning) {
      deletes.push(...onNode);
      continue;
    }
    const failed = onNode.filter((p) => p.status?.phase === 'Failed');
    deletes.push(...failed);
    const running = onNode.filter((p) => !isPodTerminal(p));
    if (running.length === 0) {
      if (shouldRun) createOn.push(name);
      continue;
    }
    if (allowSurge) {
      const updated = running.filter((p) => isUpdated(p, hash, generation));
      const old = running.filter((p) => !isUpdated(p, hash, generation));
      deletes.push(...updated.slice(1), ...old.slice(1));
      live.set(name, [...updated.slice(0, 1), ...old.slice(0, 1)]);
    } else {
      deletes.push(...running.slice(1));
      live.set(name, running.slice(0, 1));
    }
  }
  if (!rolling) return { deletes, createOn };
  const { surge, unavailable } = surgeAndUnavailable(ds, desired);
  const available = (p: KubeObject) => podAvailability(p, minReady, now).available;
  if (surge === 0) {
    let numUnavailable = createOn.length;
    const forced: KubeObject[] = [];
    const candidates: KubeObject[] = [];
    for (const [, list] of live) {
      const [pod] = list;
      if (isUpdated(pod, hash, generation)) {
        if (!available(pod)) numUnavailable++;
      } else if (!available(pod)) forced.push(pod);
      else candidates.push(pod);
    }
    const room = Math.min(Math.max(unavailable - numUnavailable, 0), candidates.length);
    deletes.push(...forced, ...candidates.slice(0, room));
    return { deletes, createOn };
  }
  let numSurge = 0;
  const forcedNodes: string[] = [];
  const candidateNodes: string[] = [];
  for (const [node, list] of live) {
    const fresh = list.find((p) => isUpdated(p, hash, generation));
    const old = list.find((p) => !isUpdated(p, hash, generation));
    if (!old) continue;
    if (!fresh) {
      if (!available(old)) forcedNodes.push(node);
      else candidateNodes.push(node);
    } else if (!available(fresh)) numSurge++;
    else deletes.push(old);
  }
  const room = Math.min(Math.max(surge - numSurge, 0), candidateNodes.length);
  createOn.push(...forcedNodes, ...candidateNodes.slice(0, room));
  return { deletes, createOn };
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  [field: string]: unknown;
}

/** updateDaemonSetStatus: counts over each node's oldest daemon pod; and when a ready pod turns available. */
export function daemonSetStatus(ds: KubeObject, nodes: KubeObject[], pods: KubeObject[], hash: string, now: number): { status: DaemonSetStatus; availableInMs?: number } {
  const byNode = podsByNode(nodes, pods.filter((p) => !(p.metadata.deletionTimestamp && isPodTerminal(p))));
  const minReady = ds.spec?.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let availableInMs: number | undefined;
  for (const node of nodes) {
    const onNode = byNode.get(String(node.metadata.name)) ?? [];
    if (!nodeEligibility(ds.spec?.template, node).shouldRun) {
      if (onNode.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (onNode.length === 0) continue;
    current++;
    const pod = onNode[0];
    if (isPodReady(pod)) {
      ready++;
      const a = podAvailability(pod, minReady, now);
      if (a.available) available++;
      else if (a.inMs !== undefined) availableInMs = Math.min(availableInMs ?? Infinity, a.inMs);
    }
    if (isUpdated(pod, hash, ds.metadata.generation)) updated++;
  }
  const status: DaemonSetStatus = {
    ...(ds.status ?? {}),
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  // As Kubernetes serializes DaemonSetStatus: these three are omitempty, the others always present.
  for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (status[k] === 0) delete status[k];
  return { status, availableInMs };
}
