import type { KubeObject } from '../kube/object.js';
import { recordEvent } from '../objects/record-event.js';
import { resources } from '../resources/registry.js';
import { resolveContainer } from './container-env.js';
import { stopProbes } from './container-lifecycle.js';
import { isNotFound } from './is-not-found.js';
import type { KubeletContext } from './kubelet-context.js';
import type { ContainerHandle } from './pod-driver.js';
import type { PodRecord } from './pod-record.js';
import { buildPodStatus } from './pod-status.js';
import { containerViews, writeStatus } from './pod-sync.js';
import { releaseVolumes } from './pod-volumes.js';
import { releaseSharedNamespaces } from './pod-shared-namespaces.js';
import { runHandler } from './probe-runner.js';

const POLL_MS = 200;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Stops every running container of a record: preStop hook (bounded by the
 * grace period), SIGTERM to the process group, SIGKILL at `deadlineMs`.
 * Returns false when the kubelet is stopping and gave up waiting.
 */
async function stopContainers(ctx: KubeletContext, pod: KubeObject | undefined, record: PodRecord, deadlineMs: number): Promise<boolean> {
  const running: Array<{ name: string; handle: ContainerHandle; spec: any }> = [];
  for (const [name, cr] of Object.entries(record.containers)) {
    stopProbes(ctx, record.uid, name);
    if (cr.current && ctx.driver.isAlive(cr.current)) {
      running.push({ name, handle: cr.current, spec: [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].find((c: any) => c.name === name) });
    }
  }
  await Promise.all(
    running.map(async ({ name, handle, spec }) => {
      if (pod) await recordEvent(ctx.cluster, pod, 'Normal', 'Killing', `Stopping container ${name}`, 'kubelet');
      const preStop = spec?.lifecycle?.preStop;
      if (pod && preStop) {
        const { env } = await resolveContainer(ctx.cluster, pod, spec, record.podIP).catch(() => ({ env: {} as Record<string, string> }));
        const budget = Math.max(0, deadlineMs - Date.now());
        const outcome = await runHandler(preStop, { podIP: record.podIP, container: spec, handle, env, driver: ctx.driver }, budget);
        if (!outcome.ok) await recordEvent(ctx.cluster, pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${outcome.message}`, 'kubelet');
      }
      ctx.driver.signal(handle, 'SIGTERM');
    }),
  );
  while (running.some((r) => ctx.driver.isAlive(r.handle))) {
    if (ctx.stopping()) return false;
    if (Date.now() >= deadlineMs) {
      for (const r of running) ctx.driver.signal(r.handle, 'SIGKILL');
    }
    await sleep(POLL_MS);
  }
  return true;
}

/** Forgets a pod: its containers' remains, sandbox, record, state dir and IP. Its processes must be gone. */
async function forget(ctx: KubeletContext, record: PodRecord): Promise<void> {
  for (const cr of Object.values(record.containers)) if (cr.current) await ctx.driver.remove?.(cr.current);
  if (record.sandbox) await ctx.network?.teardown(record.uid);
  for (const name of Object.keys(record.containers)) {
    clearTimeout(ctx.killTimers.get(`${record.uid}/${name}`));
    ctx.killTimers.delete(`${record.uid}/${name}`);
    // Size samples are kept per log path; without this every pod ever run kept up to 4096 of them.
    ctx.logs.forget(ctx.store.containerDir(record.uid, name));
  }
  ctx.records.delete(record.uid);
  ctx.ownStatusWrites.delete(`${record.namespace}/${record.name}`);
  ctx.ips.release(record.uid);
  // Before the state dir goes: removing it would empty a mounted tmpfs, then fail on the busy mount point.
  releaseVolumes(ctx.store.podDir(record.uid));
  await releaseSharedNamespaces(ctx.store.podDir(record.uid));
  ctx.tokens?.forget(record.uid);
  ctx.store.remove(record.uid);
}

/**
 * Graceful deletion of a pod on this node: out of the endpoints first (a
 * not-ready status), then preStop, SIGTERM and SIGKILL after the grace
 * period, then the object is removed for good.
 */
export async function terminatePod(ctx: KubeletContext, pod: KubeObject): Promise<number | undefined> {
  const record = ctx.records.get(pod.metadata.uid!);
  if (record) {
    await writeStatus(ctx, pod, buildPodStatus(pod, record, containerViews(ctx, pod, record), true, containerViews(ctx, pod, record, true)));
    // deletionTimestamp is when the grace period runs out; it survives a restart of the runtime.
    const graceEnd = Date.parse(pod.metadata.deletionTimestamp!);
    const deadline = Number.isNaN(graceEnd) ? Date.now() + (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000 : graceEnd;
    if (!(await stopContainers(ctx, pod, record, Math.max(deadline, Date.now() + 1000)))) return undefined;
    await forget(ctx, record);
  }
  try {
    await ctx.cluster.delete(resources.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return undefined;
}

/** A pod whose object is gone (force-deleted, or deleted while the runtime was down): kill what is left of it. */
export async function removeOrphan(ctx: KubeletContext, record: PodRecord): Promise<void> {
  if (!(await stopContainers(ctx, undefined, record, Date.now() + 2000))) return;
  await forget(ctx, record);
}

/**
 * A pod that reached Succeeded or Failed keeps its record (for logs) but runs
 * nothing; as the kubelet tears down a finished pod's sandbox, its network
 * namespace goes and its address returns to the pool, and an image pod's
 * shared IPC and uts namespaces and /dev/shm go too.
 */
export async function ensureStopped(ctx: KubeletContext, record: PodRecord): Promise<void> {
  let running = false;
  for (const cr of Object.values(record.containers)) {
    if (cr.current && ctx.driver.isAlive(cr.current)) {
      ctx.driver.signal(cr.current, 'SIGKILL');
      running = true;
    }
  }
  const imagePod = ctx.imageClasses.has(record.runtimeClass ?? 'process');
  if (!running && (record.sandbox || imagePod) && !record.sandboxReleased) {
    if (record.sandbox) await ctx.network?.teardown(record.uid);
    // The IPC and uts namespaces and /dev/shm all its containers shared go with the sandbox, as the pause container would.
    if (imagePod) await releaseSharedNamespaces(ctx.store.podDir(record.uid));
    record.sandboxReleased = true;
    ctx.store.save(record);
  }
}
