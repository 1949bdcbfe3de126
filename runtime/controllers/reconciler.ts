import pino from 'pino';
import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import type { ResourceType } from '../resources/registry.js';
import { TerminalError } from '../kube/reconcile/terminal-error.js';
import { ResourceWatcher, type ReconcilerLogger, type WatchSource } from './resource-watcher.js';
import { Backoff, WorkQueue } from '../kube/reconcile/work-queue.js';

/**
 * The one reconcile shape of the runtime (controller-runtime's Reconciler):
 * a reconcile function takes only a key (`namespace/name`, or `name` for
 * cluster-scoped objects), re-reads desired and live state, and returns
 * `done`, `requeueAfter(ms)`, or throws. A thrown TerminalError is logged and
 * not retried; any other error retries with exponential back-off and jitter.
 * Watches only decide which keys to wake; the event itself is never trusted.
 */
export interface ReconcileResult {
  /** Reconcile the key again after this many ms even if nothing changes. */
  requeueAfterMs?: number;
}

export const done: ReconcileResult = Object.freeze({});

export function requeueAfter(ms: number): ReconcileResult {
  return { requeueAfterMs: Math.max(0, Math.ceil(ms)) };
}

/** The outcome of one step: go on to the next step, or stop here. Either may ask for a later requeue. */
export interface StepResult {
  stop: boolean;
  requeueAfterMs?: number;
}

export const next: StepResult = Object.freeze({ stop: false });

export function stop(requeueAfterMs?: number): StepResult {
  return requeueAfterMs === undefined ? { stop: true } : { stop: true, requeueAfterMs };
}

/** Continue with the next step, but come back after `ms` (e.g. when minReadySeconds will have passed). */
export function nextAndRequeue(ms: number): StepResult {
  return { stop: false, requeueAfterMs: Math.max(0, Math.ceil(ms)) };
}

/** One step of a reconciler. Steps share `ctx` (clients, scratch state) and act on `obj`. */
export type Step<C, O> = (ctx: C, obj: O) => Promise<StepResult>;

/**
 * Runs steps in order, stopping at the first that says stop (or throws).
 * The earliest requeue any step asked for wins.
 */
export async function runSteps<C, O>(steps: ReadonlyArray<Step<C, O>>, ctx: C, obj: O): Promise<ReconcileResult> {
  let requeue: number | undefined;
  for (const step of steps) {
    const r = await step(ctx, obj);
    if (r.requeueAfterMs !== undefined) requeue = requeue === undefined ? r.requeueAfterMs : Math.min(requeue, r.requeueAfterMs);
    if (r.stop) break;
  }
  return requeue === undefined ? done : { requeueAfterMs: requeue };
}

/** `namespace/name`, or `name` for a cluster-scoped object. */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : String(obj.metadata.name);
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export type { ReconcilerLogger, WatchSource } from './resource-watcher.js';

export interface ReconcilerOptions {
  /** Used in logs. */
  name: string;
  cluster: Cluster;
  /** The primary type: every object of it is a key, enqueued at start and on every resync. */
  primary: ResourceType;
  reconcile(key: string): Promise<ReconcileResult>;
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
  const queue = new WorkQueue();
  const backoff = new Backoff(options.backoffBaseMs ?? 10, options.backoffMaxMs ?? 30_000);
  let stopped = false;

  const enqueueAll = async (): Promise<string> => {
    const listed = await options.cluster.list(options.primary);
    for (const obj of listed.items) queue.add(keyOf(obj));
    return listed.resourceVersion;
  };

  const primaryWatch: WatchSource = { type: options.primary, keysFor: (e) => [keyOf(e.object)] };
  const watchers = [primaryWatch, ...(options.watches ?? [])].map((source, i) =>
    new ResourceWatcher(options.cluster, source, queue, log, options.name, i === 0 ? enqueueAll : undefined),
  );
  await Promise.all(watchers.map((w) => w.start()));

  const spacing = options.spacingFactor ?? 0;
  const notBefore = new Map<string, number>();
  const resync = setInterval(() => {
    // Spacing marks of keys that were never reconciled again (their objects deleted) would pile up.
    const now = Date.now();
    for (const [key, at] of notBefore) if (at <= now) notBefore.delete(key);
    enqueueAll().catch((err) => log.warn({ err, reconciler: options.name }, 'resync list failed'));
  }, options.resyncMs ?? 60_000);
  resync.unref();
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const wait = (notBefore.get(key) ?? 0) - Date.now();
      if (wait > 0) {
        queue.done(key);
        queue.addAfter(key, wait);
        continue;
      }
      notBefore.delete(key);
      const started = Date.now();
      let asked = false;
      try {
        const result = await options.reconcile(key);
        asked = result.requeueAfterMs !== undefined;
        backoff.forget(key);
        if (result.requeueAfterMs !== undefined && !stopped) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        if (stopped) {
          // Errors while shutting down (a closed store) are expected.
        } else if (err instanceof TerminalError) {
          backoff.forget(key);
          log.error({ err, key, reconciler: options.name }, `not retrying: ${err.message}`);
        } else {
          const delay = backoff.next(key);
          log.debug({ err, key, reconciler: options.name, retryInMs: delay }, 'reconcile failed');
          queue.addAfter(key, delay);
        }
      } finally {
        const took = Date.now() - started;
        // A reconcile that said when to come back (e.g. the next burst of pods) is not held back.
        if (!asked && took >= 2 && spacing > 0) notBefore.set(key, Date.now() + took * spacing);
        queue.done(key);
      }
      // Awaiting settled promises never yields to I/O and timers; give them a turn between reconciles.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, () => worker());

  return {
    enqueue: (key) => queue.add(key),
    enqueueAfter: (key, ms) => queue.addAfter(key, ms),
    async stop() {
      stopped = true;
      clearInterval(resync);
      for (const w of watchers) w.stop();
      queue.shutdown();
      await Promise.all(workers);
    },
  };
}
