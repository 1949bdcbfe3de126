import type { Cluster } from '../objects/cluster.js';
import type { ContainerLogs } from './container-logs.js';
import type { ImageStore } from '../images/image-types.js';
import type { PodNetwork } from '../network/network-types.js';
import type { PodDriver } from './pod-driver.js';
import type { PodIpAllocator } from './pod-ip-allocator.js';
import type { PodRecord, PodRecordStore } from './pod-record.js';
import type { ProbeWorker } from './probe-runner.js';
import type { PodTokens } from './service-account-volume.js';

/** Probe workers of one running container instance. */
export interface ContainerProbes {
  instance: number;
  startup?: ProbeWorker;
  liveness?: ProbeWorker;
  readiness?: ProbeWorker;
}

/** What the kubelet's parts share: clients, on-disk records and in-memory runtime state. */
export interface KubeletContext {
  cluster: Cluster;
  /** Every driver of the node behind one: calls go to the driver that started the container. */
  driver: PodDriver;
  /** Directories no hostPath volume may reach (baton's state dir). */
  protectedPaths: string[];
  /** RuntimeClass handler of pods that name none. */
  defaultRuntimeClass: string;
  /** Handlers that run images in a sandbox of their own (the pod network, pulled images). */
  imageClasses: Set<string>;
  images?: ImageStore;
  network?: PodNetwork;
  /**
   * Host-program pods get a sandbox on the pod network too (the node runs it, with Services in the kernel).
   * @defaultValue false
   */
  hostProgramsOnPodNetwork?: boolean;
  /** The cluster DNS server pods with `dnsPolicy: ClusterFirst` use (kube-dns's ClusterIP); unset without one. */
  clusterDns?: string;
  /**
   * Admit pods asking for any namespaced sysctl, not only the safe set (the runtime's --allow-privileged).
   * @defaultValue false
   */
  allowUnsafeSysctls?: boolean;
  /** Pod-bound service account tokens; absent when the runtime issues none (then no credentials are mounted). */
  tokens?: PodTokens;
  nodeName: string;
  store: PodRecordStore;
  logs: ContainerLogs;
  ips: PodIpAllocator;
  /** Records of pods on this node by uid, mirrored on disk. */
  records: Map<string, PodRecord>;
  /** Probe workers by `<uid>/<container>`. */
  probes: Map<string, ContainerProbes>;
  /**
   * The resourceVersion of the kubelet's last write of a running pod (its
   * binding or status), by pod key: watch events up to it wake nothing.
   */
  ownStatusWrites: Map<string, string>;
  /**
   * Memory limits no kernel limit enforces (a process pod's), by `<uid>/<container>`: the
   * node's sweep measures those containers every second and wakes a pod that went over.
   */
  memoryLimits: Map<string, number>;
  /** Pending SIGKILL timers of containers being stopped, by `<uid>/<container>`. */
  killTimers: Map<string, NodeJS.Timeout>;
  /**
   * Wakes the reconcile of a pod key (`namespace/name`) ahead of the pods
   * queued by watches: a probe result or an exit must reach the status
   * without waiting behind a burst of container starts.
   */
  enqueue(key: string): void;
  /** True once stop() was called: long waits give up and leave processes running. */
  stopping(): boolean;
}
