import type { KubeObject } from '../../kube/object.js';
import { ageOf } from './human-duration.js';

/** The READY, STATUS and RESTARTS cells of `kubectl get pods`. */
export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

function laterOf(a: number, finishedAt: string | undefined): number {
  const t = finishedAt ? Date.parse(finishedAt) : NaN;
  return Number.isNaN(t) ? a : Math.max(a, t);
}

function isRestartable(pod: KubeObject, name: string): boolean {
  const init = (pod.spec?.initContainers ?? []) as Array<{ name: string; restartPolicy?: string }>;
  return init.some((c) => c.name === name && c.restartPolicy === 'Always');
}

function conditionTrue(pod: KubeObject, type: string): boolean {
  return ((pod.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === type && c.status === 'True');
}

/**
 * kubectl's rules for a pod's STATUS column (printPod in kubectl's printers):
 * the phase, overridden by status.reason, init container progress
 * (`Init:1/2`, `Init:CrashLoopBackOff`), container waiting/terminated reasons
 * (`CrashLoopBackOff`, `Error`, `Completed`), and `Terminating` once a
 * deletionTimestamp is set on a pod that has not finished.
 */
export function podSummary(pod: KubeObject, now = Date.now()): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = 0;
  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;

  for (const c of (status.conditions ?? []) as Array<{ type: string; reason?: string }>) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = (spec.initContainers ?? []) as Array<{ name: string }>;
  for (const c of initSpecs) if (isRestartable(pod, c.name)) totalContainers++;

  let initializing = false;
  const initStatuses = (status.initContainerStatuses ?? []) as any[];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    if (c.lastState?.terminated) lastRestart = laterOf(lastRestart, c.lastState.terminated.finishedAt);
    const restartable = isRestartable(pod, c.name);
    if (restartable) {
      restartableInitRestarts += c.restartCount ?? 0;
      if (c.started && c.ready) readyContainers++;
    }
    const state = c.state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (restartable && c.started) continue;
    if (state.terminated) {
      if (!state.terminated.reason) {
        reason = state.terminated.signal ? `Init:Signal:${state.terminated.signal}` : `Init:ExitCode:${state.terminated.exitCode}`;
      } else {
        reason = `Init:${state.terminated.reason}`;
      }
    } else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    let hasRunning = false;
    const statuses = (status.containerStatuses ?? []) as any[];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      const state = c.state ?? {};
      restarts += c.restartCount ?? 0;
      if (c.lastState?.terminated) lastRestart = laterOf(lastRestart, c.lastState.terminated.finishedAt);
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (c.ready && state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsText = `${restarts} (${ageOf(new Date(lastRestart).toISOString(), now)} ago)`;
  return { ready: `${readyContainers}/${totalContainers}`, status: reason || 'Pending', restarts: restartsText };
}
