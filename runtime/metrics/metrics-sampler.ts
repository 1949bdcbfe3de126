import type { KubeObject } from '../kube/object.js';
import type { Cluster } from '../objects/cluster.js';
import { resources } from '../resources/registry.js';
import { cgroupUsage, nodeUsage, usageByProcessGroup, type UsageCounter } from './usage-counters.js';

/** One container's usage over the last window: CPU as a rate. */
export interface ContainerUsage {
  name: string;
  /** CPU in nanocores (1e9 = one core busy) averaged over the window. */
  cpuNanoCores: number;
  /** Working set in bytes at the end of the window. */
  memoryBytes: number;
}

/** The latest sample of a pod or node, as metrics-server keeps it: one per object, in memory only. */
export interface UsageSample {
  /** When the window ended. */
  timestamp: Date;
  windowMs: number;
}

export interface PodUsage extends UsageSample {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  containers: ContainerUsage[];
}

export interface NodeUsage extends UsageSample, Omit<ContainerUsage, 'name'> {
  name: string;
  labels: Record<string, string>;
}

/** What the metrics API and the HPA controller read: the latest samples. */
export interface MetricsSource {
  pods(): readonly PodUsage[];
  nodes(): readonly NodeUsage[];
}

export interface MetricsSamplerOptions {
  cluster: Cluster;
  /**
   * How often usage is sampled; CPU is the rate between two samples, so this is also the window (metrics-server's `--metric-resolution`).
   * @defaultValue 15_000
   */
  resolutionMs?: number;
}

export interface RunningMetricsSampler extends MetricsSource {
  stop(): void;
}

interface Reading {
  at: number;
  counter: UsageCounter;
}

/** `process://<pid>` or `oci://<id>` (kubelet/pod-driver.ts containerIdOf) → how to read its usage. */
function readContainer(containerID: string, groups: () => Map<number, UsageCounter>): UsageCounter | undefined {
  const [scheme, id] = containerID.split('://');
  if (scheme === 'oci') return cgroupUsage(`/baton/${id}`);
  if (scheme === 'process') return groups().get(Number(id));
  return undefined;
}

function rate(previous: Reading | undefined, now: Reading): number | undefined {
  if (!previous || now.at <= previous.at) return undefined;
  // A counter that went back (a pid reused, a cgroup remade) starts a new window.
  const delta = now.counter.cpuNanos - previous.counter.cpuNanos;
  if (delta < 0) return undefined;
  return Math.round((delta * 1000) / (now.at - previous.at));
}

/**
 * Samples the CPU and memory of every running container (image pods from
 * their cgroup, process pods from /proc summed over the container's process
 * group) and of the node, every `resolutionMs`. A pod is reported once each
 * of its running containers has two samples, as metrics-server does.
 */
export function startMetricsSampler(options: MetricsSamplerOptions): RunningMetricsSampler {
  const resolutionMs = options.resolutionMs ?? 15_000;
  const readings = new Map<string, Reading>();
  let pods: PodUsage[] = [];
  let nodes: NodeUsage[] = [];
  let stopped = false;
  let running: Promise<void> | undefined;

  async function sample(): Promise<void> {
    const [podList, nodeList] = await Promise.all([options.cluster.list(resources.pods), options.cluster.list(resources.nodes)]);
    const at = Date.now();
    let groups: Map<number, UsageCounter> | undefined;
    const processGroups = () => (groups ??= usageByProcessGroup());
    const seen = new Set<string>();
    const nextPods: PodUsage[] = [];
    for (const pod of podList.items) {
      const usage = podUsage(pod, at, processGroups, seen);
      if (usage) nextPods.push(usage);
    }
    const machine: Reading = { at, counter: nodeUsage() };
    const nodeRate = rate(readings.get('node'), machine);
    const windowMs = at - (readings.get('node')?.at ?? at);
    readings.set('node', machine);
    seen.add('node');
    for (const key of readings.keys()) if (!seen.has(key)) readings.delete(key);
    pods = nextPods;
    nodes =
      nodeRate === undefined
        ? []
        : nodeList.items.map((n) => ({ name: n.metadata.name!, labels: n.metadata.labels ?? {}, timestamp: new Date(at), windowMs, cpuNanoCores: nodeRate, memoryBytes: machine.counter.memoryBytes }));
  }

  function podUsage(pod: KubeObject, at: number, processGroups: () => Map<number, UsageCounter>, seen: Set<string>): PodUsage | undefined {
    if (pod.status?.phase !== 'Running' || pod.metadata.deletionTimestamp) return undefined;
    const containers: ContainerUsage[] = [];
    let windowMs = Infinity;
    let complete = true;
    for (const status of (pod.status?.containerStatuses ?? []) as Array<Record<string, any>>) {
      if (!status.state?.running || typeof status.containerID !== 'string') continue;
      const counter = readContainer(status.containerID, processGroups);
      if (!counter) {
        complete = false;
        continue;
      }
      const key = `${pod.metadata.uid}/${status.containerID}`;
      const now: Reading = { at, counter };
      const previous = readings.get(key);
      readings.set(key, now);
      seen.add(key);
      const cpu = rate(previous, now);
      if (cpu === undefined) {
        complete = false;
        continue;
      }
      windowMs = Math.min(windowMs, at - previous!.at);
      containers.push({ name: status.name, cpuNanoCores: cpu, memoryBytes: counter.memoryBytes });
    }
    if (!complete || containers.length === 0) return undefined;
    const m = pod.metadata;
    return { namespace: m.namespace!, name: m.name!, uid: m.uid!, labels: m.labels ?? {}, timestamp: new Date(at), windowMs, containers };
  }

  const tick = () => {
    if (stopped || running) return;
    running = sample()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, resolutionMs);
  timer.unref();
  tick();
  return {
    pods: () => pods,
    nodes: () => nodes,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
