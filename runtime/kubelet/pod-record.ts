import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unmountBelow } from './mounts-below.js';
import { forgetProjections } from './projection.js';
import type { ContainerHandle } from './pod-driver.js';

/** A container's ended instance, as `state.terminated` / `lastState.terminated` show it. */
export interface TerminatedState {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

/** The pod-level sandbox of a pod on the pod network (image pods, and host-program pods when the node puts them there). */
export interface PodSandboxFiles {
  netnsPath: string;
  hostname: string;
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
}

/** What the kubelet knows about one container, kept on disk to survive restarts. */
export interface ContainerRecord {
  restartCount: number;
  /** An init container (they share the name space of containers, as in Kubernetes). */
  init?: boolean;
  /** The running (or last started) instance; absent before the first start. */
  current?: ContainerHandle & { instance: number };
  lastTerminated?: TerminatedState;
  /** Set once the container has ended and its restart policy says it stays ended. */
  finished?: boolean;
  /** Crashes since the back-off was last reset (a run of 10 minutes resets it). */
  crashes?: number;
  /** Kubelet-style crash-loop back-off: the delay in effect and when it ends. */
  backoffSeconds?: number;
  backoffUntil?: string;
  /** Why the container cannot be created (config errors); cleared on a successful start. */
  waiting?: { reason: string; message: string };
  /** Image pulls that failed in a row, and when the next may be tried (ImagePullBackOff). */
  pullFailures?: number;
  pullBackoffUntil?: string;
  lastPullError?: string;
  /** `<repository>@<digest>` of the image last pulled for it. */
  imageID?: string;
  /** Why the kubelet itself is stopping the current instance (OOMKilled, liveness…), for the termination reason. */
  killReason?: string;
}

export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  podIP: string;
  startTime: string;
  /**
   * The RuntimeClass handler its containers run with.
   * @defaultValue 'process'
   */
  runtimeClass?: string;
  /** The pod's network namespace and shared /etc files; absent for a host-program pod on the host's network (loopback IP). */
  sandbox?: PodSandboxFiles;
  /** Set once a finished pod's network namespace was torn down (its status and logs stay). */
  sandboxReleased?: boolean;
  containers: Record<string, ContainerRecord>;
}

/** Files of one pod below `stateDir/pods/<uid>/`. */
export class PodRecordStore {
  /** What this process last wrote of each record, by uid: a save that changes nothing writes nothing. */
  private readonly written = new Map<string, string>();

  constructor(private readonly stateDir: string) {}

  podDir(uid: string): string {
    return join(this.stateDir, 'pods', uid);
  }

  containerDir(uid: string, container: string): string {
    return join(this.podDir(uid), container);
  }

  loadAll(): PodRecord[] {
    const root = join(this.stateDir, 'pods');
    let uids: string[];
    try {
      uids = readdirSync(root);
    } catch {
      return [];
    }
    const records: PodRecord[] = [];
    for (const uid of uids) {
      try {
        records.push(JSON.parse(readFileSync(join(root, uid, 'state.json'), 'utf8')) as PodRecord);
      } catch {
        // A pod dir without a readable record was never started; it is swept as an orphan by uid.
        records.push({ uid, namespace: '', name: '', podIP: '', startTime: '', containers: {} });
      }
    }
    return records;
  }

  /** Written atomically: a crash mid-write must not lose the pids of running containers. */
  save(record: PodRecord): void {
    const text = JSON.stringify(record, null, 1);
    const before = this.written.get(record.uid);
    if (text === before) return;
    const dir = this.podDir(record.uid);
    if (before === undefined) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, 'state.json.tmp');
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, join(dir, 'state.json'));
    this.written.set(record.uid, text);
  }

  remove(uid: string): void {
    this.written.delete(uid);
    forgetProjections(this.podDir(uid));
    unmountBelow(this.podDir(uid));
    rmSync(this.podDir(uid), { recursive: true, force: true });
  }
}
