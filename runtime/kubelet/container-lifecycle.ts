import type { KubeObject } from '../kube/object.js';
import { backoffDelay } from '../kube/reconcile/backoff.js';
import { recordEvent } from '../objects/record-event.js';
import { ContainerConfigError, resolveContainer } from './container-env.js';
import { currentLogPath } from './container-logs.js';
import { containerStdinPath } from './pod-exec.js';
import type { ContainerProbes, KubeletContext } from './kubelet-context.js';
import { containerIdOf, DriverError } from './pod-driver.js';
import type { ContainerHandle, ContainerLaunch, OciLaunch, VolumeMount } from './pod-driver.js';
import { pullImage } from './image-pull.js';
import { ensureSandbox, hostNetworkFiles } from './pod-sandbox.js';
import { ociLaunch } from './oci-launch.js';
import { ensureSharedNamespaces } from './pod-shared-namespaces.js';
import { podHostname } from '../dns/index.js';
import { unsupportedHostFeature } from './pod-host-features.js';
import { forbiddenSysctl } from './pod-sysctls.js';
import { resolveSubPath } from './pod-volumes.js';
import { NOBODY } from './process-sandbox.js';
import type { ContainerRecord, PodRecord, TerminatedState } from './pod-record.js';
import { ProbeWorker, type ProbeKind, type ProbeTarget } from './probe-runner.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const TEN_MINUTES_MS = 10 * 60 * 1000;
const MAX_BACKOFF_SECONDS = 300;

function keyOfPod(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function shouldRestart(policy: string, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

export function stopProbes(ctx: KubeletContext, uid: string, container: string): void {
  const key = `${uid}/${container}`;
  const set = ctx.probes.get(key);
  if (!set) return;
  set.startup?.stop();
  set.liveness?.stop();
  set.readiness?.stop();
  ctx.probes.delete(key);
}

/**
 * Notices that the current instance ended: records `lastState.terminated`,
 * and per restart policy either marks the container finished or sets the
 * kubelet's crash-loop back-off (first restart at once, then 10 s doubling
 * to 5 min; a run of 10 minutes resets it).
 */
export async function observeExit(ctx: KubeletContext, pod: KubeObject, record: PodRecord, name: string, cr: ContainerRecord): Promise<void> {
  const podPolicy = pod.spec?.restartPolicy ?? 'Always';
  // Init containers run to completion: a failed one is retried unless the pod never restarts anything.
  const policy = cr.init ? (podPolicy === 'Never' ? 'Never' : 'OnFailure') : podPolicy;
  const current = cr.current!;
  const exitCode = ctx.driver.exitCode(current) ?? 137;
  const finishedAt = new Date();
  const known = ctx.driver.terminationReason?.(current);
  const oom = cr.killReason === 'OOMKilled' || known?.reason === 'OOMKilled';
  const startError = known?.reason === 'StartError';
  const terminated: TerminatedState = {
    exitCode: oom ? 137 : startError ? 128 : exitCode,
    reason: oom ? 'OOMKilled' : startError ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error',
    ...(known?.message ? { message: known.message } : {}),
    startedAt: current.startedAt.replace(/\.\d+Z$/, 'Z'),
    finishedAt: finishedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    containerID: containerIdOf(current),
  };
  // The instance's mounts, cgroup and runtime state go now; its log and exit record stay.
  await ctx.driver.remove?.(current);
  stopProbes(ctx, record.uid, name);
  clearTimeout(ctx.killTimers.get(`${record.uid}/${name}`));
  ctx.killTimers.delete(`${record.uid}/${name}`);
  cr.lastTerminated = terminated;
  cr.current = undefined;
  cr.killReason = undefined;
  if (!shouldRestart(policy, terminated.exitCode)) {
    cr.finished = true;
    return;
  }
  const ranMs = finishedAt.getTime() - Date.parse(current.startedAt);
  cr.crashes = ranMs >= TEN_MINUTES_MS ? 1 : (cr.crashes ?? 0) + 1;
  const delay = cr.crashes <= 1 ? 0 : backoffDelay(cr.crashes - 2, { base: 10, cap: MAX_BACKOFF_SECONDS });
  cr.backoffSeconds = delay || undefined;
  cr.backoffUntil = delay ? new Date(finishedAt.getTime() + delay * 1000).toISOString() : undefined;
  if (delay) {
    await recordEvent(ctx.cluster, pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, 'kubelet');
  }
}

/**
 * Starts the next instance of a container. Configuration that cannot be
 * resolved (missing ConfigMap, no command) leaves it waiting with a reason,
 * as Kubernetes does, and is retried on later reconciles.
 */
export async function startContainer(
  ctx: KubeletContext,
  pod: KubeObject,
  record: PodRecord,
  spec: any,
  cr: ContainerRecord,
  mounts: VolumeMount[] | Error,
): Promise<void> {
  const setWaiting = async (reason: string, message: string): Promise<void> => {
    const changed = cr.waiting?.message !== message;
    cr.waiting = { reason, message };
    if (changed) await recordEvent(ctx.cluster, pod, 'Warning', 'Failed', `Error: ${message}`, 'kubelet');
  };
  if (mounts instanceof Error) return setWaiting(mounts instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError', mounts.message);
  let resolved;
  try {
    resolved = await resolveContainer(ctx.cluster, pod, spec, record.podIP);
  } catch (err) {
    if (err instanceof ContainerConfigError) return setWaiting('CreateContainerConfigError', err.message);
    throw err;
  }
  const runtimeClass = record.runtimeClass ?? 'process';
  const unsupported = unsupportedHostFeature(pod, spec, ctx.imageClasses.has(runtimeClass));
  if (unsupported) return setWaiting('CreateContainerConfigError', unsupported);
  // Admission saw the pod's sysctls once; the API lets a pod's spec change since, so each start looks again.
  const sysctl = forbiddenSysctl(pod, ctx.allowUnsafeSysctls === true);
  if (sysctl) return setWaiting('CreateContainerConfigError', sysctl);
  let oci: OciLaunch | undefined;
  let user: ContainerLaunch['user'];
  if (ctx.imageClasses.has(runtimeClass)) {
    const image = await pullImage(ctx, pod, spec, cr);
    if (!image) return;
    const host = { network: pod.spec?.hostNetwork === true, ipc: pod.spec?.hostIPC === true };
    let shared;
    try {
      // After a reboot of the machine the pod's network namespace is gone: it is made again (same address).
      if (!host.network && (!record.sandbox || !existsSync(record.sandbox.netnsPath))) record.sandbox = await ensureSandbox(ctx, pod, record);
      shared = await ensureSharedNamespaces(ctx.store.podDir(record.uid), podHostname(pod), host);
    } catch (err) {
      return setWaiting('CreateContainerError', `cannot prepare the pod sandbox: ${(err as Error).message}`);
    }
    oci = ociLaunch(pod, host.network ? hostNetworkFiles(ctx, pod, record) : record.sandbox!, shared, spec, resolved, image);
  } else {
    try {
      user = hostProgramUser(pod, spec);
    } catch (err) {
      if (err instanceof ContainerConfigError) return setWaiting('CreateContainerConfigError', err.message);
      throw err;
    }
    // A host-program pod on the pod network: after a reboot its namespace is made again too.
    if (record.sandbox && !existsSync(record.sandbox.netnsPath)) {
      try {
        record.sandbox = await ensureSandbox(ctx, pod, record);
      } catch (err) {
        return setWaiting('CreateContainerError', `cannot prepare the pod sandbox: ${(err as Error).message}`);
      }
    }
  }
  // Last before the start: what a subPath names is pinned by a bind mount only now, once nothing else can fail.
  try {
    const subPaths = join(ctx.store.podDir(record.uid), 'volume-subpaths', String(spec.name));
    const staged: VolumeMount[] = [];
    for (const [i, m] of mounts.entries()) staged.push(await resolveSubPath(m, resolved.env, join(subPaths, String(i))));
    mounts = staged;
  } catch (err) {
    if (err instanceof ContainerConfigError) return setWaiting('CreateContainerConfigError', err.message);
    throw err;
  }
  const dir = ctx.store.containerDir(record.uid, spec.name);
  const restarting = cr.lastTerminated !== undefined;
  ctx.logs.beginInstance(dir);
  let handle: ContainerHandle;
  try {
    const launch: ContainerLaunch = {
      podUid: record.uid,
      containerName: spec.name,
      argv: resolved.argv,
      env: resolved.env,
      workingDir: spec.workingDir ?? '',
      mounts,
      logPath: currentLogPath(dir),
      exitPath: join(dir, 'exit-code'),
      stdinPath: spec.stdin === true && !oci ? containerStdinPath(dir) : undefined,
      runtimeClass,
      oci,
      user,
      hostname: String(pod.spec?.hostname ?? pod.metadata.name).slice(0, 63),
      podNetwork: !oci && record.sandbox ? { netnsPath: record.sandbox.netnsPath, etcFiles: record.sandbox.etcFiles } : undefined,
    };
    handle = await ctx.driver.start(launch);
  } catch (err) {
    if (err instanceof DriverError) return setWaiting(err.reason, err.message);
    throw err;
  }
  const instance = restarting ? cr.restartCount + 1 : 0;
  if (restarting) cr.restartCount++;
  cr.current = { ...handle, instance };
  cr.waiting = undefined;
  cr.backoffUntil = undefined;
  // Saved at once: a crash of the runtime right now must not lose the pid.
  ctx.store.save(record);
  // Not waited for, as the kubelet's event recorder is not: a store write each, and the worker has the pod's status to write.
  void recordEvent(ctx.cluster, pod, 'Normal', 'Created', `Created container ${spec.name}`, 'kubelet').then(() =>
    recordEvent(ctx.cluster, pod, 'Normal', 'Started', `Started container ${spec.name}`, 'kubelet'),
  );
  ensureProbes(ctx, pod, record, spec, cr, resolved.env, false);
}

/**
 * Who a host program runs as: `runAsUser`/`runAsGroup` (container over pod)
 * when set, else nobody; a host has no image User to fall back on.
 */
function hostProgramUser(pod: KubeObject, spec: any): ContainerLaunch['user'] {
  const podSec = pod.spec?.securityContext ?? {};
  const sec = spec.securityContext ?? {};
  const uid: number = sec.runAsUser ?? podSec.runAsUser ?? NOBODY;
  const gid: number = sec.runAsGroup ?? podSec.runAsGroup ?? (uid === 0 ? 0 : NOBODY);
  if ((sec.runAsNonRoot ?? podSec.runAsNonRoot) && uid === 0) {
    throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${spec.name})`);
  }
  const groups = [...new Set([...(podSec.supplementalGroups ?? []), ...(podSec.fsGroup !== undefined ? [podSec.fsGroup] : [])])] as number[];
  return { uid, gid, groups };
}

/** Probe workers for the running instance; `adopted` keeps the readiness the pod status last showed. */
export function ensureProbes(ctx: KubeletContext, pod: KubeObject, record: PodRecord, spec: any, cr: ContainerRecord, env: Record<string, string>, adopted: boolean): ContainerProbes {
  const key = `${record.uid}/${spec.name}`;
  const current = cr.current!;
  const existing = ctx.probes.get(key);
  if (existing && existing.instance === current.instance) return existing;
  if (existing) stopProbes(ctx, record.uid, spec.name);
  const target: ProbeTarget = { podIP: record.podIP, container: spec, handle: current, env, driver: ctx.driver };
  const podKey = keyOfPod(pod);
  const label: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };
  const listener = {
    onResult: () => ctx.enqueue(podKey),
    onFailure: (kind: ProbeKind, message: string) => {
      void recordEvent(ctx.cluster, pod, 'Warning', 'Unhealthy', `${label[kind]} probe failed: ${message}`, 'kubelet');
    },
  };
  const previous = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === spec.name);
  const wasReady = adopted && previous?.ready === true;
  const wasStarted = adopted && previous?.started === true;
  const set: ContainerProbes = { instance: current.instance };
  const gated = !!spec.startupProbe && !wasStarted;
  if (spec.startupProbe && !wasStarted) set.startup = new ProbeWorker('startup', spec.startupProbe, target, listener, { initial: false, paused: false });
  if (spec.livenessProbe) set.liveness = new ProbeWorker('liveness', spec.livenessProbe, target, listener, { initial: true, paused: gated });
  if (spec.readinessProbe) set.readiness = new ProbeWorker('readiness', spec.readinessProbe, target, listener, { initial: wasReady, paused: gated });
  const startedAtMs = Date.parse(current.startedAt);
  for (const w of [set.startup, set.liveness, set.readiness]) w?.start(startedAtMs);
  ctx.probes.set(key, set);
  return set;
}

/** SIGTERM now, SIGKILL after the grace period if it is still running. */
export function killContainer(ctx: KubeletContext, uid: string, name: string, handle: ContainerHandle, graceSeconds: number): void {
  const key = `${uid}/${name}`;
  if (ctx.killTimers.has(key)) return;
  ctx.driver.signal(handle, graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => {
    ctx.killTimers.delete(key);
    ctx.driver.signal(handle, 'SIGKILL');
  }, graceSeconds * 1000);
  timer.unref();
  ctx.killTimers.set(key, timer);
}
