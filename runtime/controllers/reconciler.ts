import pino from 'pino';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject, WatchEvent } from '../kube/object.js';
import { startReconcileLoop, type ReconcilerLogger } from '../kube/reconcile/reconcile-loop.js';
import type { ReconcileResult } from '../kube/reconcile/reconcile-result.js';
import type { ResourceType } from '../resources/registry.js';
import { ResourceWatcher, type WatchSource } from './resource-watcher.js';

/**
 * The runtime's reconcilers: the one reconcile loop (runtime/kube/reconcile)
 * fed by watches on the object store. A reconcile function takes only a key
 * (`namespace/name`, or `name` for cluster-scoped objects), re-reads desired
 * and live state, and returns `done`, `requeueAfter(ms)`, or throws. Watches
 * only decide which keys to wake; the event itself is never trusted.
 */
export { done, requeueAfter, type ReconcileResult } from '../kube/reconcile/reconcile-result.js';
export { next, stop, nextAndRequeue, runSteps, type Step, type StepResult } from '../kube/reconcile/run-steps.js';
export type { ReconcilerLogger } from '../kube/reconcile/reconcile-loop.js';

/** `namespace/name`, or `name` for a cluster-scoped object. */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : String(obj.metadata.name);
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export type { WatchSource } from './resource-watcher.js';

export interface ReconcilerOptions {
  /** Used in logs. */
  name: string;
  cluster: Cluster;
  /** The primary type: every object of it is a key, enqueued at start and on every resync. */
  primary: ResourceType;
  reconcile(key: string): Promise<ReconcileResult>;
  /**
   * Whether an event of the primary type wakes its key (e.g. not the echo of
   * the reconciler's own status write). Relists wake every key regardless.
   * @defaultValue every event wakes its key
   */
  wakesOn?(event: WatchEvent): boolean;
  /**
   * Further types to watch (owned objects, referenced objects).
   * @defaultValue []
   */
  watches?: WatchSource[];
  /**
   * Relist the primary type and reconcile every key this often, to heal anything a watch missed.
   * @defaultValue 60000
   */
  resyncMs?: number;
  /**
   * Keys reconciled at once; one key is never reconciled by two workers at a time.
   * @defaultValue 4
   */
  concurrency?: number;
  /**
   * First retry delay after an error; doubles per consecutive failure of the key.
   * @defaultValue 10
   */
  backoffBaseMs?: number;
  /**
   * Longest retry delay after errors.
   * @defaultValue 30000
   */
  backoffMaxMs?: number;
  /**
   * A key is not reconciled again until this many times its last reconcile's
   * duration has passed, so a storm of events on a big object (a ReplicaSet
   * of 10,000 pods turning ready) costs bounded CPU and coalesces into fewer
   * reconciles. Reconciles under 2 ms are never spaced. Leave it off where a
   * reconcile may wait on purpose (a kubelet waiting out a grace period).
   * @defaultValue 0 (off)
   */
  spacingFactor?: number;
  /** @defaultValue a pino logger on stderr at level `BATON_LOG_LEVEL` or `warn` */
  logger?: ReconcilerLogger;
}

export interface RunningReconciler {
  /** Schedules a key now (e.g. from another controller). */
  enqueue(key: string): void;
  /** Schedules a key ahead of those queued by watches and resyncs: a short wake-up must not wait behind slow work. */
  enqueueFirst(key: string): void;
  enqueueAfter(key: string, ms: number): void;
  /** Stops watches, timers and workers; waits for reconciles in flight to finish. */
  stop(): Promise<void>;
}

let defaultLogger: ReconcilerLogger | undefined;

export function defaultReconcilerLogger(): ReconcilerLogger {
  defaultLogger ??= pino({ name: 'baton-runtime', level: process.env.BATON_LOG_LEVEL ?? 'warn' }, pino.destination({ dest: 2, sync: true }));
  return defaultLogger;
}

/** Starts watches, the resync timer and `concurrency` workers for one reconciler. */
export async function startReconciler(options: ReconcilerOptions): Promise<RunningReconciler> {
  const log = options.logger ?? defaultReconcilerLogger();
  const listKeys = async () => (await options.cluster.list(options.primary)).items.map(keyOf);
  const loop = startReconcileLoop({
    name: options.name,
    reconcile: options.reconcile,
    listKeys,
    resyncMs: options.resyncMs,
    concurrency: options.concurrency,
    backoff: { base: options.backoffBaseMs ?? 10, cap: options.backoffMaxMs ?? 30_000, jitter: 'equal' },
    spacingFactor: options.spacingFactor,
    // Reconciles wait until every watch has listed once: caches fed by the watches are complete by then.
    autorun: false,
    logger: log,
  });

  const enqueueAll = async (): Promise<string> => {
    const listed = await options.cluster.list(options.primary);
    for (const obj of listed.items) loop.enqueue(keyOf(obj));
    return listed.resourceVersion;
  };
  const wakesOn = options.wakesOn ?? (() => true);
  const primaryWatch: WatchSource = { type: options.primary, keysFor: (e) => (wakesOn(e) ? [keyOf(e.object)] : []) };
  const watchers = [primaryWatch, ...(options.watches ?? [])].map(
    (source, i) => new ResourceWatcher(options.cluster, source, loop, log, options.name, i === 0 ? enqueueAll : undefined),
  );
  try {
    await Promise.all(watchers.map((w) => w.start()));
  } catch (err) {
    for (const w of watchers) w.stop();
    await loop.stop();
    throw err;
  }
  loop.run();

  return {
    enqueue: (key) => loop.enqueue(key),
    enqueueFirst: (key) => loop.enqueueFirst(key),
    enqueueAfter: (key, ms) => loop.enqueueAfter(key, ms),
    async stop() {
      for (const w of watchers) w.stop();
      await loop.stop();
    },
  };
}
