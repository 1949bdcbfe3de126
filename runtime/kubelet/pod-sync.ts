import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../kube/object.js';
import { recordEvent } from '../objects/record-event.js';
import { resources } from '../resources/registry.js';
import { resolveContainer } from './container-env.js';
import { ensureProbes, killContainer, observeExit, startContainer } from './container-lifecycle.js';
import type { KubeletContext } from './kubelet-context.js';
import type { VolumeMount } from './pod-driver.js';
import type { PodRecord } from './pod-record.js';
import { buildPodStatus, type ContainerView } from './pod-status.js';
import { ensureSandbox, joinsPodNetwork } from './pod-sandbox.js';
import { syncVolumes } from './pod-volumes.js';
import { recentMemoryByProcessGroup } from './proc-stat.js';
import { memoryBytes } from '../kube/quantity.js';
import { POLL_MS } from './container-sweep.js';
import { admitPod } from './pod-admission.js';

/**
 * The pod's record, made on first sight: pods on the pod network get their
 * sandbox (network namespace and address on the bridge), other host-program
 * pods a loopback IP (reusing the one their status shows if still free). The
 * choice is kept in the record, so a restarted runtime never moves a pod.
 */
export async function recordFor(ctx: KubeletContext, pod: KubeObject): Promise<PodRecord> {
  const uid = pod.metadata.uid!;
  const existing = ctx.records.get(uid);
  if (existing) return existing;
  const runtimeClass: string = pod.spec?.runtimeClassName ?? ctx.defaultRuntimeClass;
  const record: PodRecord = {
    uid,
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name!,
    podIP: '',
    startTime: pod.status?.startTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    runtimeClass,
    containers: {},
  };
  if (joinsPodNetwork(ctx, pod, runtimeClass)) {
    record.sandbox = await ensureSandbox(ctx, pod, record);
  } else {
    const shown: string | undefined = pod.status?.podIP;
    record.podIP = shown && shown.startsWith('127.1.') && ctx.ips.claim(shown, uid) ? shown : ctx.ips.allocate(uid);
  }
  ctx.records.set(uid, record);
  // A sandbox is saved at once (a crash must not leak it); a loopback address needs no write of its own: the record
  // is saved with the first container's pid, or before the first status shows the address, whichever comes first.
  if (record.sandbox) ctx.store.save(record);
  return record;
}

/** Observed state of each container (or init container), for the status. */
export function containerViews(ctx: KubeletContext, pod: KubeObject, record: PodRecord, init = false): ContainerView[] {
  return ((init ? pod.spec?.initContainers : pod.spec?.containers) ?? []).map((spec: any) => {
    const cr = record.containers[spec.name] ?? { restartCount: 0 };
    if (init) {
      const running = !!cr.current && ctx.driver.isAlive(cr.current);
      return { spec, record: cr, running, ready: !!cr.finished && cr.lastTerminated?.exitCode === 0, started: running };
    }
    const running = !!cr.current && ctx.driver.isAlive(cr.current);
    const probes = ctx.probes.get(`${record.uid}/${spec.name}`);
    const started = !spec.startupProbe || (probes ? !probes.startup || probes.startup.result : (pod.status?.containerStatuses ?? []).some((s: any) => s.name === spec.name && s.started));
    const ready = running && started && (spec.readinessProbe ? !!probes?.readiness?.result : true);
    return { spec, record: cr, running, ready, started };
  });
}

/** Writes `status` when it differs from what the pod shows (ignoring the clock in unchanged conditions); returns the pod written. */
export async function writeStatus(ctx: KubeletContext, pod: KubeObject, status: Record<string, unknown>): Promise<KubeObject | undefined> {
  if (isDeepStrictEqual(pod.status ?? {}, status)) return undefined;
  return ctx.cluster.update(resources.pods, { ...pod, status }, { status: true, fieldManager: 'kubelet' });
}

/**
 * One pass over a pod bound to this node: notice exits, apply the restart
 * policy and back-off, start what should run, act on probe results and the
 * memory limit, then write the status.
 */
export async function syncPod(ctx: KubeletContext, pod: KubeObject): Promise<number | undefined> {
  if (!ctx.records.has(pod.metadata.uid!) && !(await admitPod(ctx, pod))) return undefined;
  let record: PodRecord;
  try {
    record = await recordFor(ctx, pod);
  } catch (err) {
    await recordEvent(ctx.cluster, pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`, 'kubelet');
    return 5000;
  }
  let mounts: Map<string, VolumeMount[]> | Error;
  try {
    mounts = await syncVolumes(ctx.cluster, pod, ctx.store.podDir(record.uid), ctx.protectedPaths, ctx.tokens);
  } catch (err) {
    mounts = err as Error;
  }
  let sample: Map<number, number> | undefined;
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  let requeue: number | undefined;
  const soon = (ms: number): void => {
    requeue = requeue === undefined ? ms : Math.min(requeue, ms);
  };

  const initDone = await syncInitContainers(ctx, pod, record, mounts, soon);
  for (const spec of initDone ? (pod.spec?.containers ?? []) : []) {
    const cr = (record.containers[spec.name] ??= { restartCount: 0 });
    if (cr.current && !ctx.driver.isAlive(cr.current)) {
      await observeExit(ctx, pod, record, spec.name, cr);
      ctx.store.save(record);
    }
    if (!cr.current && !cr.finished) {
      const wait = cr.backoffUntil ? Date.parse(cr.backoffUntil) - Date.now() : 0;
      if (wait > 0) {
        soon(wait);
        continue;
      }
      await startContainer(ctx, pod, record, spec, cr, mounts instanceof Error ? mounts : (mounts.get(spec.name) ?? []));
      ctx.store.save(record);
      if (!cr.current) {
        soon(5000);
        continue;
      }
    }
    if (!cr.current) continue;
    // Exits and logs of running containers are watched by the node's sweep (container-sweep.ts), not by a sync per pod per second.
    const dir = ctx.store.containerDir(record.uid, spec.name);
    ctx.logs.maintain(dir);
    let probes = ctx.probes.get(`${record.uid}/${spec.name}`);
    if (!probes || probes.instance !== cr.current.instance) {
      // Adopted after a runtime restart: probes start again for the running instance.
      const { env } = await resolveContainer(ctx.cluster, pod, spec, record.podIP).catch(() => ({ env: {} as Record<string, string> }));
      probes = ensureProbes(ctx, pod, record, spec, cr, env, true);
    }
    if (probes.startup?.result) {
      probes.liveness?.resume();
      probes.readiness?.resume();
    }
    const startupFailed = !!probes.startup?.failedOut;
    if ((probes.liveness && !probes.liveness.result) || startupFailed) {
      if (!cr.killReason) {
        cr.killReason = 'Unhealthy';
        ctx.store.save(record);
        const which = startupFailed ? 'startup' : 'liveness';
        await recordEvent(ctx.cluster, pod, 'Normal', 'Killing', `Container ${spec.name} failed ${which} probe, will be restarted`, 'kubelet');
      }
      // Also after a runtime restart, which lost the pending SIGKILL timer.
      if (!ctx.killTimers.has(`${record.uid}/${spec.name}`)) {
        killContainer(ctx, record.uid, spec.name, cr.current, spec.livenessProbe?.terminationGracePeriodSeconds ?? grace);
      }
    }
    const limit = memoryBytes(spec.resources?.limits?.memory);
    const limitKey = `${record.uid}/${spec.name}`;
    if (limit > 0 && cr.killReason !== 'OOMKilled' && !ctx.driver.limitsMemory?.(cr.current)) {
      // No kernel limit enforces it: the node's sweep measures it every poll and wakes this pod once over.
      ctx.memoryLimits.set(limitKey, limit);
      sample ??= recentMemoryByProcessGroup(POLL_MS / 2);
      const used = ctx.driver.memoryUsage(cr.current, sample);
      if (used > limit) {
        cr.killReason = 'OOMKilled';
        ctx.store.save(record);
        ctx.driver.signal(cr.current, 'SIGKILL');
        await recordEvent(ctx.cluster, pod, 'Warning', 'OOMKilling', `Memory limit ${spec.resources.limits.memory} exceeded: container ${spec.name} used ${Math.round(used / 1048576)}Mi; killed`, 'kubelet');
        soon(100);
      }
    } else {
      ctx.memoryLimits.delete(limitKey);
    }
  }

  const status = buildPodStatus(pod, record, containerViews(ctx, pod, record), false, containerViews(ctx, pod, record, true));
  // What the status shows (the pod's address) is on disk first; mostly already saved, and then this writes nothing.
  ctx.store.save(record);
  const written = await writeStatus(ctx, pod, status);
  // The echo of a pod's last status wakes it no more (see ownEcho), except when it ended: that sync releases what it held.
  if (written && status.phase !== 'Succeeded' && status.phase !== 'Failed') ctx.ownStatusWrites.set(`${pod.metadata.namespace}/${pod.metadata.name}`, written.metadata.resourceVersion!);
  return requeue;
}

/**
 * Runs init containers one after another, each to completion, before any
 * other container starts; true once all have succeeded.
 */
async function syncInitContainers(ctx: KubeletContext, pod: KubeObject, record: PodRecord, mounts: Map<string, VolumeMount[]> | Error, soon: (ms: number) => void): Promise<boolean> {
  for (const spec of pod.spec?.initContainers ?? []) {
    const cr = (record.containers[spec.name] ??= { restartCount: 0, init: true });
    if (cr.current && !ctx.driver.isAlive(cr.current)) {
      await observeExit(ctx, pod, record, spec.name, cr);
      ctx.store.save(record);
    }
    if (cr.finished) {
      if (cr.lastTerminated?.exitCode === 0) continue;
      return false;
    }
    if (cr.current) {
      soon(POLL_MS);
      ctx.logs.maintain(ctx.store.containerDir(record.uid, spec.name));
      return false;
    }
    const wait = cr.backoffUntil ? Date.parse(cr.backoffUntil) - Date.now() : 0;
    if (wait > 0) {
      soon(wait);
      return false;
    }
    if (spec.restartPolicy === 'Always') {
      cr.waiting = { reason: 'CreateContainerConfigError', message: 'sidecar init containers (restartPolicy: Always) are not supported by the built-in runtime' };
      return false;
    }
    await startContainer(ctx, pod, record, spec, cr, mounts instanceof Error ? mounts : (mounts.get(spec.name) ?? []));
    ctx.store.save(record);
    soon(cr.current ? POLL_MS : 5000);
    return false;
  }
  return true;
}
