import { constants, existsSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { badRequest, StatusError } from '../errors/status-error.js';
import type { KubeObject } from '../kube/object.js';
import { resolveContainer } from './container-env.js';
import type { ExecProcess } from './exec-process.js';
import type { KubeletContext } from './kubelet-context.js';
import { DriverError, type ContainerHandle } from './pod-driver.js';
import type { PodRecord } from './pod-record.js';

/** `pods/{name}/exec` as the kubelet serves it: the command, already validated by the API. */
export interface PodExecRequest {
  /** Empty: the pod's only container. */
  container?: string;
  command: string[];
  stdin: boolean;
  /** Run it on a terminal (image pods only). */
  tty: boolean;
}

/** `pods/{name}/attach`: the running container's output from now on. */
export interface PodAttachRequest {
  container?: string;
  stdin: boolean;
}

interface RunningContainer {
  record: PodRecord;
  name: string;
  spec: any;
  handle: ContainerHandle;
}

/** The pod's running container `name` (or its only one), with Kubernetes' messages when there is none. */
function runningContainer(ctx: KubeletContext, pod: KubeObject, name: string | undefined): RunningContainer {
  const podName = pod.metadata.name!;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const specs = (pod.spec?.containers ?? []) as Array<{ name: string }>;
  if (!name) {
    if (specs.length !== 1) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${specs.map((c) => c.name).join(' ')}]`);
    name = specs[0].name;
  }
  const spec = specs.find((c) => c.name === name) ?? (pod.spec?.initContainers ?? []).find((c: { name: string }) => c.name === name);
  if (!spec) throw badRequest(`container ${name} is not valid for pod ${podName}`);
  const record = ctx.records.get(pod.metadata.uid!);
  const handle = record?.containers[name]?.current;
  if (!record || !handle || !ctx.driver.isAlive(handle)) throw badRequest(`container ${name} is not running in pod ${podName}`);
  return { record, name, spec, handle };
}

/** Starts the command in the container, with the container's environment and working directory. */
export async function execInPod(ctx: KubeletContext, pod: KubeObject, request: PodExecRequest): Promise<ExecProcess> {
  const { record, spec, handle } = runningContainer(ctx, pod, request.container);
  const { env } = await resolveContainer(ctx.cluster, pod, spec, record.podIP).catch(() => ({ env: {} as Record<string, string> }));
  try {
    return await ctx.driver.execStream!(handle, { env, workingDir: spec.workingDir ?? '' }, request.command, { stdin: request.stdin, tty: request.tty });
  } catch (err) {
    if (err instanceof DriverError && err.reason === 'TtyUnsupported') throw badRequest(err.message);
    throw new StatusError(500, 'InternalError', `failed to exec in container: ${(err as Error).message}`);
  }
}

/** The FIFO a host-program container with `stdin: true` reads as its stdin, in its directory. */
export function containerStdinPath(containerDir: string): string {
  return join(containerDir, 'stdin');
}

/**
 * The container's output from now on, as `kubectl attach` shows it, and with
 * `stdin` a writer into the container's stdin. The log file holds stdout and
 * stderr together, so both arrive on stdout. Only host-program containers
 * with `stdin: true` keep a stdin pipe (image pods do not).
 */
export function attachToPod(
  ctx: KubeletContext,
  pod: KubeObject,
  request: PodAttachRequest,
  follow: (record: PodRecord, container: string) => Readable,
): { output: Readable; stdin?: Writable } {
  const { record, name, spec } = runningContainer(ctx, pod, request.container);
  if (!request.stdin) return { output: follow(record, name) };
  if (!spec.stdin) throw badRequest(`stdin is not enabled for container ${name} in pod ${pod.metadata.name}: set spec.containers[].stdin: true`);
  const fifo = containerStdinPath(ctx.store.containerDir(record.uid, name));
  if (!existsSync(fifo)) {
    throw badRequest(`attaching stdin is not supported for container ${name}: only host-program (process) containers keep a stdin pipe (attach without -i to see its output)`);
  }
  let fd: number;
  try {
    // Non-blocking: with no reader left (the container ended) this fails at once instead of holding a thread forever.
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    throw badRequest(`container ${name} is not reading its stdin in pod ${pod.metadata.name}`);
  }
  // A socket over the FIFO waits out a full pipe (EAGAIN) where a file stream would fail.
  return { output: follow(record, name), stdin: new Socket({ fd, readable: false, writable: true }) };
}
