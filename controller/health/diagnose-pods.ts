import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { bounded } from '../clusters/bounded-request.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { selectorQuery } from '../../runtime/kube/label-selector.js';
import { censorLine } from '../censor/censor.js';
import { knownSecrets } from '../censor/known-secrets.js';
import type { LiveWorkload } from './rollout-status.js';

/** Why one pod of a workload is not healthy, in plain words. */
export interface PodProblem {
  pod: string;
  container?: string;
  /** What kind of trouble: it decides how a user fixes it. */
  cause: 'CrashLoopBackOff' | 'Terminated' | 'ReadinessProbe' | 'Waiting' | 'Restarted' | 'Unschedulable' | 'Pending' | 'NotReady';
  /** e.g. `container web is crash-looping (CrashLoopBackOff): last exit code 3 (Error), restarted 2 times`. */
  message: string;
  exitCode?: number;
  restarts?: number;
  /** The last lines the container wrote (its previous run's, when it crashed); empty when logs cannot be read. */
  logTail: string[];
}

export interface WorkloadWithMeta extends LiveWorkload {
  metadata?: LiveWorkload['metadata'] & { namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
}

const REVISION = 'deployment.kubernetes.io/revision';
/** At most this many pods are examined (their events and logs read) per workload. */
const MAX_PODS = 3;
const LOG_LINES = 10;

/** The pods that keep `workload` from being healthy, each with what is wrong and its last log lines. */
export async function diagnoseWorkload(target: ClusterTarget, workload: WorkloadWithMeta): Promise<PodProblem[]> {
  const pods = (await workloadPods(target, workload)).filter((p) => !p.metadata?.deletionTimestamp && !isReady(p));
  return diagnosePods(target, pods);
}

/** What is wrong with each of these pods (at most MAX_PODS of them), with their last log lines. */
export async function diagnosePods(target: ClusterTarget, pods: readonly V1Pod[]): Promise<PodProblem[]> {
  const problems: PodProblem[] = [];
  for (const pod of pods.slice(0, MAX_PODS)) problems.push(await diagnosePod(target, pod));
  return problems;
}

export function isReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The workload's pods; for a Deployment only those of its newest ReplicaSet, the ones a rollout waits for. */
export async function workloadPods(target: ClusterTarget, workload: WorkloadWithMeta): Promise<V1Pod[]> {
  const namespace = workload.metadata?.namespace ?? 'default';
  if (workload.kind === 'Pod') {
    try {
      return [(await bounded(target.objects.read({ apiVersion: 'v1', kind: 'Pod', metadata: { name: workload.metadata!.name!, namespace } }))) as V1Pod];
    } catch {
      return [];
    }
  }
  const selector = selectorQuery(workload.spec?.selector);
  if (selector === undefined) return [];
  let podSelector = selector;
  if (workload.kind === 'Deployment') {
    const newest = await newestReplicaSet(target, workload, namespace, selector);
    const hash = newest?.metadata?.labels?.['pod-template-hash'];
    if (hash) podSelector = `${selector},pod-template-hash=${hash}`;
  }
  // The API's JSON as it is (timestamps stay strings): client-node's typed Pod models walked every
  // field of every pod, for each workload at every drift check and health poll.
  const list = await bounded(target.objects.list('v1', 'Pod', namespace, undefined, undefined, undefined, undefined, podSelector));
  return list.items as V1Pod[];
}

async function newestReplicaSet(target: ClusterTarget, deployment: WorkloadWithMeta, namespace: string, selector: string) {
  const list = await bounded(target.objects.list('apps/v1', 'ReplicaSet', namespace, undefined, undefined, undefined, undefined, selector));
  const owned = list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid));
  const revisionOf = (o: { metadata?: { annotations?: Record<string, string> } }) => Number(o.metadata?.annotations?.[REVISION] ?? 0);
  const wanted = deployment.metadata?.annotations?.[REVISION];
  return owned.find((rs) => wanted !== undefined && rs.metadata?.annotations?.[REVISION] === wanted) ?? owned.sort((a, b) => revisionOf(b) - revisionOf(a))[0];
}

async function diagnosePod(target: ClusterTarget, pod: V1Pod): Promise<PodProblem> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? 'default';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const problem = containerProblem(cs);
    if (!problem) continue;
    if (problem.cause === 'NotReady') {
      const probe = await latestProbeFailure(target, pod, cs.name);
      const hasProbe = !!pod.spec?.containers?.find((c) => c.name === cs.name)?.readinessProbe;
      if (probe || hasProbe) {
        problem.cause = 'ReadinessProbe';
        problem.message = problem.message.replace('running but not ready', probe ? `running but not ready: ${probe}` : 'running but its readiness probe has not passed yet');
      }
    }
    const crashedBefore = !!cs.lastState?.terminated;
    const previous = problem.cause === 'CrashLoopBackOff' || (problem.cause === 'Waiting' && crashedBefore);
    let lines = await logTail(target, namespace, name, cs.name, previous);
    // Restarted and not ready yet, its new run silent so far: the run that crashed says why.
    if (lines.length === 0 && !previous && crashedBefore) lines = await logTail(target, namespace, name, cs.name, true);
    return { pod: name, ...problem, logTail: lines };
  }
  // Running and ready again after a crash: the crash is the problem, and its run's log says why.
  const restarted = statuses.map(restartProblem).find((p) => p !== undefined);
  if (restarted) return { pod: name, ...restarted, logTail: await logTail(target, namespace, name, restarted.container!, true) };
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return { pod: name, cause: 'Unschedulable', message: `pod cannot be scheduled: ${scheduled.message ?? scheduled.reason ?? 'no reason given'}`, logTail: [] };
  }
  if (pod.status?.phase === 'Pending' || !statuses.length) return { pod: name, cause: 'Pending', message: `pod is ${pod.status?.phase ?? 'Pending'}${pod.status?.message ? `: ${pod.status.message}` : ''}`, logTail: [] };
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return { pod: name, cause: 'NotReady', message: `pod is not ready${ready?.message ? `: ${ready.message}` : ''}`, logTail: [] };
}

type ContainerProblem = Omit<PodProblem, 'pod' | 'logTail'>;

/** What is wrong with one container, from its status alone; undefined when it is running and ready. */
export function containerProblem(cs: V1ContainerStatus): ContainerProblem | undefined {
  const last = cs.lastState?.terminated;
  const restarts = cs.restartCount ?? 0;
  const exited = (t: { exitCode: number; reason?: string; signal?: number }) =>
    `exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.signal ? `, signal ${t.signal}` : ''}`;
  const waiting = cs.state?.waiting;
  if (waiting?.reason === 'CrashLoopBackOff') {
    return {
      container: cs.name,
      cause: 'CrashLoopBackOff',
      message: `container ${cs.name} is crash-looping (CrashLoopBackOff): ${last ? `last ${exited(last)}` : 'it keeps exiting'}, restarted ${restarts} ${restarts === 1 ? 'time' : 'times'}`,
      exitCode: last?.exitCode,
      restarts,
    };
  }
  const terminated = cs.state?.terminated;
  if (terminated && terminated.exitCode !== 0) {
    return { container: cs.name, cause: 'Terminated', message: `container ${cs.name} exited with ${exited(terminated)}${terminated.message ? `: ${terminated.message}` : ''}`, exitCode: terminated.exitCode, restarts };
  }
  if (waiting) {
    const after = last ? ` (last run ended with ${exited(last)})` : '';
    return {
      container: cs.name,
      cause: 'Waiting',
      message: `container ${cs.name} is waiting: ${waiting.reason ?? 'no reason given'}${waiting.message ? `: ${waiting.message}` : ''}${after}`,
      exitCode: last?.exitCode,
      restarts,
    };
  }
  if (cs.state?.running && !cs.ready) {
    const crashed = last ? ` (restarted ${restarts} ${restarts === 1 ? 'time' : 'times'}, last ${exited(last)})` : '';
    return { container: cs.name, cause: 'NotReady', message: `container ${cs.name} is running but not ready${crashed}`, exitCode: last?.exitCode, restarts };
  }
  return undefined;
}

/** A container that is running again after it exited: how often, and how its last run ended; undefined when it never restarted. */
export function restartProblem(cs: V1ContainerStatus): ContainerProblem | undefined {
  const restarts = cs.restartCount ?? 0;
  if (restarts === 0) return undefined;
  const last = cs.lastState?.terminated;
  const how = last ? `, last exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}` : '';
  return { container: cs.name, cause: 'Restarted', message: `container ${cs.name} restarted ${restarts} ${restarts === 1 ? 'time' : 'times'}${how}`, exitCode: last?.exitCode, restarts };
}

/** The newest `Unhealthy` event's message about this pod's container, e.g. `Readiness probe failed: HTTP probe failed with statuscode: 503`. */
async function latestProbeFailure(target: ClusterTarget, pod: V1Pod, container: string): Promise<string | undefined> {
  let events: CoreV1Event[];
  try {
    const list = await bounded(
      target.core.listNamespacedEvent({
        namespace: pod.metadata?.namespace ?? 'default',
        fieldSelector: `involvedObject.name=${pod.metadata?.name},reason=Unhealthy`,
      }),
    );
    events = list.items;
  } catch {
    return undefined;
  }
  const mine = events.filter((e) => {
    if (e.involvedObject.uid && pod.metadata?.uid && e.involvedObject.uid !== pod.metadata.uid) return false;
    const path = e.involvedObject.fieldPath;
    return !path || path.includes(`{${container}}`);
  });
  const when = (e: CoreV1Event) => new Date((e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0) as string | Date).getTime();
  const readiness = mine.filter((e) => /readiness/i.test(e.message ?? ''));
  const newest = (readiness.length ? readiness : mine).sort((a, b) => when(b) - when(a))[0];
  return newest?.message?.trim();
}

/** The container's last log lines; empty when they cannot be read (pod gone, never started). */
async function logTail(target: ClusterTarget, namespace: string, pod: string, container: string, previous: boolean): Promise<string[]> {
  const read = async (prev: boolean) => {
    const text = await bounded(target.core.readNamespacedPodLog({ name: pod, namespace, container, tailLines: LOG_LINES, previous: prev }));
    // These lines end up in the app's message (API, dashboard, logs): a pod that prints its Secret must not leak it there.
    return String(text ?? '')
      .split('\n')
      .filter((line, i, all) => line !== '' || i < all.length - 1)
      .slice(-LOG_LINES)
      .map((line) => censorLine(line, knownSecrets));
  };
  try {
    return await read(previous);
  } catch {
    if (!previous) return [];
    try {
      return await read(false);
    } catch {
      return [];
    }
  }
}
