import { readFileSync } from 'node:fs';
import type { StoredImage } from '../images/image-types.js';
import type { ExecProcess, ExecStreamOptions } from './exec-process.js';

/**
 * How the kubelet runs containers. A driver starts a container, signals and
 * observes it, and re-adopts it after the runtime restarts; all decisions
 * (restarts, probes, status) stay in the kubelet.
 */

export interface VolumeMount {
  /** Host directory or file holding the volume's contents. */
  source: string;
  /** Where the container sees it. */
  target: string;
  readOnly: boolean;
  /** A subPath of `source`, checked and bind-mounted when the container starts (`resolveSubPath`). */
  subPath?: string;
  /** `subPathExpr`, to expand with the container's environment when it starts; then a subPath of `source`. */
  subPathExpr?: string;
}

export interface ContainerLaunch {
  podUid: string;
  containerName: string;
  /** Program and arguments, already `$(VAR)`-expanded. */
  argv: string[];
  env: Record<string, string>;
  /** Empty: the driver's default. */
  workingDir: string;
  /** Non-empty mounts need a private mount namespace for the pod. */
  mounts: VolumeMount[];
  /** File that receives stdout and stderr (appended). */
  logPath: string;
  /** File the driver writes the exit code to when the container ends on its own. */
  exitPath: string;
  /**
   * Host-program drivers: a FIFO to make and give the program as its stdin
   * (spec.stdin), held open by the container so it never reads end-of-file;
   * `pods/{name}/attach` writes into it.
   * @defaultValue absent — stdin is /dev/null
   */
  stdinPath?: string;
  /**
   * The RuntimeClass handler that runs it (`process`, `oci`).
   * @defaultValue 'process'
   */
  runtimeClass?: string;
  /** What image drivers need beyond the above; absent for the process driver. */
  oci?: OciLaunch;
  /**
   * Host-program drivers: who the program runs as.
   * @defaultValue nobody (65534)
   */
  user?: { uid: number; gid: number; groups: number[] };
  /** The pod's hostname (its own uts namespace). */
  hostname?: string;
  /**
   * Host-program drivers: the pod's network namespace on the bridge and the
   * files mounted at /etc/hosts, /etc/hostname and /etc/resolv.conf.
   * @defaultValue absent: the host's network
   */
  podNetwork?: Pick<OciLaunch, 'netnsPath' | 'etcFiles'>;
}

/** An image-based container: its image, the spec's command/args and the pod's shared sandbox. */
export interface OciLaunch {
  image: StoredImage;
  /** `command` and `args` of the spec, `$(VAR)`-expanded; combined with the image's Entrypoint and Cmd. */
  command?: string[];
  args?: string[];
  /** The pod's network namespace; absent with `host.network`. */
  netnsPath?: string;
  hostname: string;
  /**
   * The pod's hostNetwork, hostPID and hostIPC: the host's namespaces, which
   * only a driver allowing privileges grants.
   * @defaultValue none
   */
  host?: { network?: boolean; pid?: boolean; ipc?: boolean };
  /** The pod's IPC and uts namespaces and /dev/shm, which all its containers join. @defaultValue none: the container's own */
  shared?: { ipcPath?: string; utsPath?: string; shmDir?: string };
  /** The pod's `securityContext.sysctls` (admitted by the kubelet), by dotted name. @defaultValue none */
  sysctls?: Record<string, string>;
  /** Files every container of the pod shares: mounted at /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  /** The container's securityContext over the pod's (run-as fields) and the container's own. */
  security: {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    supplementalGroups?: number[];
    fsGroup?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    /** The container's seccompProfile, else the pod's. */
    seccompProfile?: { type?: string; localhostProfile?: string };
  };
  memoryLimitBytes?: number;
  /** limits.cpu in millicores. */
  cpuLimitMillis?: number;
  /** requests.cpu in millicores. */
  cpuRequestMillis?: number;
  /** Who the failure messages name, `pod "ns/name", container "c"`. */
  who: string;
}

/** Identity of a running container, persisted so a restarted runtime can find it again. */
export interface ContainerHandle {
  pid: number;
  /** Process start time (/proc/<pid>/stat field 22): guards against pid reuse. */
  procStart: string;
  startedAt: string;
  exitPath: string;
  /** Whether the container runs in its own mount namespace (exec must enter it). */
  mountNamespace: boolean;
  /**
   * The driver that runs it.
   * @defaultValue 'process'
   */
  driver?: string;
  /** Image drivers: the OCI runtime's container id and bundle directory. */
  containerId?: string;
  bundle?: string;
  /** Image drivers: `<repository>@<digest>` of the image it runs. */
  imageID?: string;
  /** Host-program drivers: who the program runs as (exec runs as the same user). */
  user?: { uid: number; gid: number; groups: number[] };
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface PodDriver {
  readonly name: string;
  /** Runs images in a sandbox of its own (network namespace, pulled image): the kubelet prepares both. */
  readonly runsImages?: boolean;
  /** Throws a DriverError when the container cannot be created (it then stays waiting). */
  start(launch: ContainerLaunch): Promise<ContainerHandle>;
  isAlive(handle: ContainerHandle): boolean;
  /** Signals every process of the container; a no-op once it is gone. */
  signal(handle: ContainerHandle, signal: NodeJS.Signals): void;
  /** The exit code once the container is gone: recorded by the container, or undefined when it was killed outright. */
  exitCode(handle: ContainerHandle): number | undefined;
  /** Runs a command beside the container (exec probes, preStop hooks). */
  exec(handle: ContainerHandle, launch: Pick<ContainerLaunch, 'env' | 'workingDir'>, argv: string[], timeoutMs: number): Promise<ExecResult>;
  /** Runs a command beside the container with its streams open (`kubectl exec`); throws a DriverError when it cannot. */
  execStream?(handle: ContainerHandle, launch: Pick<ContainerLaunch, 'env' | 'workingDir'>, argv: string[], options: ExecStreamOptions): Promise<ExecProcess>;
  /** Resident memory of the container's processes in bytes (0 when gone). */
  memoryUsage(handle: ContainerHandle, sample?: Map<number, number>): number;
  /**
   * Why a container that is gone ended, when the driver knows better than its
   * exit code: `OOMKilled` (the kernel's OOM killer in its cgroup) or
   * `StartError` (the runtime could not start its process; `message` says why).
   */
  terminationReason?(handle: ContainerHandle): { reason: 'OOMKilled' | 'StartError'; message?: string } | undefined;
  /** True when the kernel enforces the container's memory limit (a cgroup): the kubelet then does not watch its usage. */
  limitsMemory?(handle: ContainerHandle): boolean;
  /** Releases what a finished container holds (mounts, cgroups, runtime state); idempotent. */
  remove?(handle: ContainerHandle): Promise<void>;
  /** Fires (best effort) when a container this process started exits; adopted ones are polled. */
  onExit?(listener: (handle: ContainerHandle) => void): void;
  /**
   * True while onExit is sure to fire when this container ends (this process
   * started it and waits for it): the node's sweep then does not poll it.
   * @defaultValue false for every container
   */
  reportsExit?(handle: ContainerHandle): boolean;
  /**
   * Kills containers this driver started below `podsDir` that are not among
   * `known`: a runtime killed between starting a container and recording it
   * left them running, and the next kubelet would start a second copy.
   * Returns how many it killed.
   */
  sweepUnknown?(podsDir: string, known: ContainerHandle[]): number | Promise<number>;
  /** Resolves once no signal this driver sent is still being delivered (the kubelet's stop waits: nothing runs after it). */
  settle?(): Promise<void>;
}

/** The exit code a container's wrapper wrote when it ended on its own; undefined when it was killed outright. */
export function recordedExitCode(exitPath: string): number | undefined {
  try {
    const code = Number.parseInt(readFileSync(exitPath, 'utf8').trim(), 10);
    return Number.isNaN(code) ? undefined : code;
  } catch {
    return undefined;
  }
}

/** `status.containerStatuses[].containerID` of a running or ended instance. */
export function containerIdOf(handle: ContainerHandle): string {
  return handle.containerId ? `oci://${handle.containerId}` : `process://${handle.pid}`;
}

/** A container that cannot be created; its reason becomes `state.waiting.reason`. */
export class DriverError extends Error {
  readonly code = 'DriverError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}
