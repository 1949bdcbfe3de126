import type { KubeObject } from '../kube/object.js';
import { containerIdOf } from './pod-driver.js';
import type { ContainerRecord, PodRecord } from './pod-record.js';

/** What the kubelet observed about one container right now. */
export interface ContainerView {
  spec: any;
  record: ContainerRecord;
  running: boolean;
  ready: boolean;
  /** The startup probe has passed (or there is none). */
  started: boolean;
}

function containerState(view: ContainerView, podKey: string, now: number): Record<string, unknown> {
  const r = view.record;
  if (view.running && r.current) return { running: { startedAt: r.current.startedAt } };
  if (r.finished && r.lastTerminated) return { terminated: r.lastTerminated };
  if (r.waiting) return { waiting: r.waiting };
  if (r.backoffUntil && Date.parse(r.backoffUntil) > now && r.lastTerminated) {
    const seconds = r.backoffSeconds ?? 10;
    return { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${seconds}s restarting failed container=${view.spec.name} pod=${podKey}` } };
  }
  return { waiting: { reason: 'ContainerCreating' } };
}

/** Kubernetes' getPhase: from container states and the restart policy. */
export function podPhase(statuses: Array<Record<string, any>>, restartPolicy: string): string {
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function qosClass(containers: any[]): string {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function condition(previous: any[], type: string, ok: boolean, now: string, reason?: string, message?: string): Record<string, unknown> {
  const status = ok ? 'True' : 'False';
  const before = previous.find((c) => c.type === type);
  const c: Record<string, unknown> = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** The pod's status as the kubelet reports it, keeping transition times of unchanged conditions. */
export function buildPodStatus(pod: KubeObject, record: PodRecord, views: ContainerView[], terminating: boolean, initViews: ContainerView[] = []): Record<string, unknown> {
  const nowMs = Date.now();
  const now = new Date(nowMs).toISOString().replace(/\.\d+Z$/, 'Z');
  const podKey = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const toStatus = (v: ContainerView): Record<string, any> => {
    const lastState: Record<string, unknown> = {};
    if (v.record.lastTerminated && !(v.record.finished && !v.running)) lastState.terminated = v.record.lastTerminated;
    const s: Record<string, unknown> = {
      name: v.spec.name,
      state: containerState(v, podKey, nowMs),
      lastState,
      ready: v.ready && !terminating,
      restartCount: v.record.restartCount,
      image: v.spec.image ?? '',
      imageID: v.record.current?.imageID ?? v.record.imageID ?? '',
      started: v.running && v.started,
    };
    if (v.record.current) s.containerID = containerIdOf(v.record.current);
    else if (v.record.lastTerminated) s.containerID = v.record.lastTerminated.containerID;
    return s;
  };
  const containerStatuses = views.map(toStatus);
  const initContainerStatuses = initViews.map(toStatus);
  const incomplete = initContainerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const initFailed = initViews.some((v) => v.record.finished && v.record.lastTerminated?.exitCode !== 0);
  let phase = podPhase(containerStatuses, pod.spec?.restartPolicy ?? 'Always');
  if (incomplete.length > 0) {
    phase = initFailed ? 'Failed' : 'Pending';
    for (const s of containerStatuses) if (s.state.waiting?.reason === 'ContainerCreating') s.state = { waiting: { reason: 'PodInitializing' } };
  }
  const previous: any[] = pod.status?.conditions ?? [];
  const unready = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const allReady = unready.length === 0 && !terminating;
  const notReadyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  return {
    phase,
    conditions: [
      condition(previous, 'PodReadyToStartContainers', !done, now),
      condition(previous, 'Initialized', incomplete.length === 0, now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
      condition(previous, 'Ready', allReady && !done, now, notReadyReason, notReadyMessage),
      condition(previous, 'ContainersReady', allReady && !done, now, notReadyReason, notReadyMessage),
      condition(previous, 'PodScheduled', true, now),
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: record.podIP,
    podIPs: [{ ip: record.podIP }],
    startTime: record.startTime,
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
    containerStatuses,
    qosClass: qosClass(pod.spec?.containers ?? []),
  };
}
