import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { startReconciler, splitKey, type ReconcileResult, type RunningReconciler } from '../controllers/index.js';
import { badRequest, notFound } from '../errors/status-error.js';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { ContainerLogs, type LogOptions } from './container-logs.js';
import { isNotFound } from './is-not-found.js';
import type { KubeletContext } from './kubelet-context.js';
import { localNodeResources, registerNode, registerRuntimeClasses } from './node-registration.js';
import type { PodDriver } from './pod-driver.js';
import { PodIpAllocator } from './pod-ip-allocator.js';
import { boundAddressesReader } from './bound-addresses.js';
import { PodRecordStore, type PodRecord } from './pod-record.js';
import { syncPod } from './pod-sync.js';
import { ownEcho } from './own-echo.js';
import { ensureStopped, removeOrphan, terminatePod } from './pod-termination.js';
import { createDriverSet } from './driver-set.js';
import { createProcessDriver } from './process-driver.js';
import { KERNEL_PATHS } from './host-path.js';
import type { ExecProcess } from './exec-process.js';
import { attachToPod, execInPod, type PodAttachRequest, type PodExecRequest } from './pod-exec.js';
import type { ImageStore } from '../images/image-types.js';
import type { PodNetwork } from '../network/network-types.js';
import { schedulePod } from './scheduler.js';
import { POLL_MS, sweepContainers } from './container-sweep.js';
import { PodTokens, type ServiceAccountTokenSource } from './service-account-volume.js';

export interface KubeletOptions {
  cluster: Cluster;
  /** Pod state (records, logs, volumes) lives below `stateDir/pods/`. */
  stateDir: string;
  /**
   * Name of the Node object this kubelet registers and whose pods it runs.
   * @defaultValue 'baton'
   */
  nodeName?: string;
  /**
   * How containers run, one driver per RuntimeClass handler (`process`, `oci`).
   * @defaultValue [the process driver]
   */
  drivers?: PodDriver[];
  /**
   * Handler for pods that name no `runtimeClassName`.
   * @defaultValue 'process'
   */
  defaultRuntimeClass?: string;
  /**
   * Directories no pod may see or mount (baton's state dir; the host's /proc, /sys and /dev unless privileges are allowed).
   * @defaultValue [stateDir, ...KERNEL_PATHS]
   */
  protectedPaths?: string[];
  /** Where image drivers get images; needed when a driver runs images. */
  images?: ImageStore;
  /** The pod network image-based pods join; needed when a driver runs images. */
  network?: PodNetwork;
  /**
   * Host-program pods join `network` as image pods do (their own network
   * namespace on the bridge); otherwise they share the host's network on a
   * loopback address. hostNetwork pods always stay on the host's network.
   * @defaultValue false
   */
  hostProgramsOnPodNetwork?: boolean;
  /** Cluster DNS server for pods' resolv.conf (kube-dns's ClusterIP); without it pods get the host's resolvers. */
  clusterDns?: string;
  /**
   * Relist all pods this often, to heal anything a watch missed.
   * @defaultValue 10000
   */
  resyncMs?: number;
  /**
   * A container's current log is cut (into `current.log.1`) beyond this size.
   * @defaultValue 10485760 (10 MiB)
   */
  maxLogBytes?: number;
  /**
   * Issues pod-bound service account tokens: pods then get the API credentials volume.
   * @defaultValue undefined — no credentials are mounted and `serviceAccountToken` sources fail
   */
  serviceAccountTokens?: ServiceAccountTokenSource;
  /** Admit any namespaced sysctl, not only the safe set (the runtime's --allow-privileged). @defaultValue false */
  allowUnsafeSysctls?: boolean;
}

export interface Kubelet {
  /** Stops reconciling; the pods' processes keep running and are re-adopted by the next kubelet. */
  stop(): Promise<void>;
  /** A container's log; throws NotFound for an unknown pod, BadRequest for an unknown container or missing previous log. */
  logs(namespace: string, pod: string, options?: LogOptions): Readable;
  /**
   * The same for the API's `pods/{name}/log` (runtime/api's PodLogProvider): finds the pod by uid.
   * `timestamps` are when the kubelet saw each line (see ContainerLogs.read).
   */
  podLogs(pod: KubeObject, options: LogOptions): Promise<Readable>;
  /** `pods/{name}/exec`: runs a command in a running container with its streams open. */
  podExec(pod: KubeObject, request: PodExecRequest): Promise<ExecProcess>;
  /** `pods/{name}/attach`: a running container's output from now on, and a writer into its stdin when asked for. */
  podAttach(pod: KubeObject, request: PodAttachRequest): { output: Readable; stdin?: Writable };
}

const HEARTBEAT_MS = 30_000;

/** Registers the node, re-adopts (or reaps) what earlier runs left, and starts reconciling pods. */
export async function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  const nodeName = options.nodeName ?? 'baton';
  const driver = createDriverSet(options.drivers ?? [createProcessDriver({ hiddenPaths: [options.stateDir] })]);
  const store = new PodRecordStore(options.stateDir);
  let stopped = false;
  const running: { reconciler?: RunningReconciler } = {};
  const ctx: KubeletContext = {
    cluster: options.cluster,
    driver,
    defaultRuntimeClass: options.defaultRuntimeClass ?? 'process',
    protectedPaths: options.protectedPaths ?? [options.stateDir, ...KERNEL_PATHS],
    imageClasses: driver.imageClasses,
    images: options.images,
    network: options.network,
    hostProgramsOnPodNetwork: options.hostProgramsOnPodNetwork === true && options.network !== undefined,
    clusterDns: options.clusterDns,
    allowUnsafeSysctls: options.allowUnsafeSysctls,
    tokens: options.serviceAccountTokens && new PodTokens(options.serviceAccountTokens),
    nodeName,
    store,
    logs: new ContainerLogs(options.maxLogBytes ?? 10 * 1024 * 1024),
    ips: new PodIpAllocator({ bound: boundAddressesReader() }),
    records: new Map(),
    probes: new Map(),
    killTimers: new Map(),
    memoryLimits: new Map(),
    ownStatusWrites: new Map(),
    enqueue: (key) => running.reconciler?.enqueueFirst(key),
    stopping: () => stopped,
  };
  const node = localNodeResources(nodeName);
  const handlers = (options.drivers ?? []).map((d) => d.name);
  await registerNode(options.cluster, nodeName, ctx.defaultRuntimeClass);
  await registerRuntimeClasses(options.cluster, handlers.length ? handlers : ['process']);

  // Addresses in use come first from live pod statuses, then from our own records.
  const pods = (await options.cluster.list(resources.pods)).items;
  const liveUids = new Set(pods.map((p) => p.metadata.uid!));
  for (const pod of pods) {
    if (pod.spec?.nodeName === nodeName && pod.status?.podIP?.startsWith('127.1.')) ctx.ips.claim(pod.status.podIP, pod.metadata.uid!);
  }
  const orphans: PodRecord[] = [];
  for (const record of store.loadAll()) {
    if (!liveUids.has(record.uid)) {
      orphans.push(record);
    } else if (!record.podIP) {
      // Crashed before its record was first written: nothing of it can be running yet.
      store.remove(record.uid);
    } else {
      ctx.records.set(record.uid, record);
      if (!record.sandbox && !ctx.ips.claim(record.podIP, record.uid)) record.podIP = ctx.ips.allocate(record.uid);
    }
  }
  // Containers no record knows (the last runtime died between starting one and saving its pid) would run twice.
  const known = [...ctx.records.values(), ...orphans].flatMap((r) => Object.values(r.containers).flatMap((c) => (c.current ? [c.current] : [])));
  await driver.sweepUnknown?.(join(options.stateDir, 'pods'), known);
  await Promise.all(orphans.map((record) => removeOrphan(ctx, record)));
  // Sandboxes of pods no record knows (a crash between making one and recording it) go too.
  await options.network?.sweep(new Set(ctx.records.keys()));
  driver.onExit?.((handle) => {
    for (const record of ctx.records.values()) {
      if (Object.values(record.containers).some((c) => c.current?.pid === handle.pid)) ctx.enqueue(`${record.namespace}/${record.name}`);
    }
  });

  const reconcile = async (key: string): Promise<ReconcileResult> => {
    const { namespace, name } = splitKey(key);
    let pod: KubeObject | undefined;
    try {
      pod = await options.cluster.get(resources.pods, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    for (const record of [...ctx.records.values()]) {
      if (record.namespace === namespace && record.name === name && record.uid !== pod?.metadata.uid) await removeOrphan(ctx, record);
    }
    if (!pod) {
      ctx.ownStatusWrites.delete(key);
      return {};
    }
    const after = (ms: number | undefined): ReconcileResult => (ms === undefined ? {} : { requeueAfterMs: ms });
    if (!pod.spec?.nodeName) {
      const scheduled = await schedulePod(ctx, pod, node);
      if (typeof scheduled !== 'object') return after(scheduled);
      // Bound to this node: its sync follows at once, on the pod as bound, rather than after a trip through the queue.
      pod = scheduled;
    }
    if (pod.spec.nodeName !== nodeName) return {};
    if (pod.metadata.deletionTimestamp) return after(await terminatePod(ctx, pod));
    const phase = pod.status?.phase;
    const record = ctx.records.get(pod.metadata.uid!);
    if (phase === 'Succeeded' || phase === 'Failed') {
      if (record) await ensureStopped(ctx, record);
      return {};
    }
    return after(await syncPod(ctx, pod));
  };

  running.reconciler = await startReconciler({
    name: 'kubelet',
    cluster: options.cluster,
    primary: resources.pods,
    reconcile,
    wakesOn: (event) => ownEcho(ctx, event),
    resyncMs: options.resyncMs ?? 10_000,
    // Graceful terminations wait out grace periods inside a reconcile; others must not queue behind them.
    concurrency: 16,
  });

  const heartbeat = setInterval(() => {
    registerNode(options.cluster, nodeName, ctx.defaultRuntimeClass).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  // A pod removed while its watch event was missed has no key left to resync: wake the keys of such records.
  const sweep = setInterval(() => {
    options.cluster.list(resources.pods).then(({ items }) => {
      const uids = new Set(items.map((p) => p.metadata.uid));
      for (const record of ctx.records.values()) if (!uids.has(record.uid)) ctx.enqueue(`${record.namespace}/${record.name}`);
    }, () => undefined);
  }, options.resyncMs ?? 10_000);
  sweep.unref();
  const containerSweep = setInterval(() => sweepContainers(ctx), POLL_MS);
  containerSweep.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      clearInterval(sweep);
      clearInterval(containerSweep);
      await running.reconciler?.stop();
      await ctx.driver.settle?.();
      for (const set of ctx.probes.values()) for (const w of [set.startup, set.liveness, set.readiness]) w?.stop();
      ctx.probes.clear();
      for (const t of ctx.killTimers.values()) clearTimeout(t);
      ctx.killTimers.clear();
    },
    logs(namespace, podName, logOptions = {}) {
      const record = [...ctx.records.values()].find((r) => r.namespace === namespace && r.name === podName);
      if (!record) throw notFound('pods', podName);
      return readLogs(ctx, record, logOptions);
    },
    async podLogs(pod, logOptions) {
      const record = ctx.records.get(pod.metadata.uid!);
      if (!record) {
        const first = logOptions.container ?? pod.spec?.containers?.[0]?.name;
        throw badRequest(`container "${first}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
      }
      const { container, tailLines, previous, follow, sinceSeconds, limitBytes, timestamps } = logOptions;
      return readLogs(ctx, record, { container, tailLines, previous, follow, sinceSeconds, limitBytes, timestamps });
    },
    podExec: (pod, request) => execInPod(ctx, pod, request),
    podAttach: (pod, request) => attachToPod(ctx, pod, request, (record, container) => readLogs(ctx, record, { container, follow: true, tailLines: 0 })),
  };
}

function readLogs(ctx: KubeletContext, record: PodRecord, options: LogOptions): Readable {
  const names = Object.keys(record.containers).filter((n) => !record.containers[n].init);
  const initNames = Object.keys(record.containers).filter((n) => record.containers[n].init);
  let container = options.container;
  if (!container) {
    if (names.length !== 1) {
      const inits = initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : '';
      throw badRequest(`a container name must be specified for pod ${record.name}, choose one of: [${names.join(' ')}]${inits}`);
    }
    container = names[0];
  }
  const cr = record.containers[container];
  if (!cr) throw badRequest(`container ${container} is not valid for pod ${record.name}`);
  const dir = ctx.store.containerDir(record.uid, container);
  // As the kubelet: "previous" is the instance in lastState.terminated, which a finished container does not have.
  if (options.previous && (!cr.lastTerminated || cr.finished)) {
    throw badRequest(`previous terminated container "${container}" in pod "${record.name}" not found`);
  }
  if (!cr.current && !cr.lastTerminated) {
    throw badRequest(`container "${container}" in pod "${record.name}" is waiting to start: ${cr.waiting?.reason ?? 'ContainerCreating'}`);
  }
  const instance = cr.current;
  const stillRunning = (): boolean => !!instance && ctx.records.get(record.uid)?.containers[container!]?.current === instance && ctx.driver.isAlive(instance);
  return ctx.logs.read(dir, options, stillRunning, !cr.current);
}
