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
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface PodDriver {
  readonly name: string;
  /** Throws a DriverError when the container cannot be created (it then stays waiting). */
  start(launch: ContainerLaunch): Promise<ContainerHandle>;
  isAlive(handle: ContainerHandle): boolean;
  /** Signals every process of the container; a no-op once it is gone. */
  signal(handle: ContainerHandle, signal: NodeJS.Signals): void;
  /** The exit code once the container is gone: recorded by the container, or undefined when it was killed outright. */
  exitCode(handle: ContainerHandle): number | undefined;
  /** Runs a command beside the container (exec probes, preStop hooks). */
  exec(handle: ContainerHandle, launch: Pick<ContainerLaunch, 'env' | 'workingDir'>, argv: string[], timeoutMs: number): Promise<ExecResult>;
  /** Resident memory of the container's processes in bytes (0 when gone). */
  memoryUsage(handle: ContainerHandle, sample?: Map<number, number>): number;
  /** Fires (best effort) when a container this process started exits; adopted ones are polled. */
  onExit?(listener: (handle: ContainerHandle) => void): void;
  /**
   * Kills containers this driver started below `podsDir` that are not among
   * `known`: a runtime killed between starting a container and recording it
   * left them running, and the next kubelet would start a second copy.
   * Returns how many it killed.
   */
  sweepUnknown?(podsDir: string, known: ContainerHandle[]): number;
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
