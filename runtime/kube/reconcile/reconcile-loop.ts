import { Backoff, type BackoffPolicy } from './backoff.js';
import type { ReconcileResult } from './reconcile-result.js';
import { TerminalError } from './terminal-error.js';
import { WorkQueue } from './work-queue.js';

/** The subset of pino's logger the reconcilers use. */
export interface ReconcilerLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ReconcileLoopOptions {
  /** Used in logs. */
  name: string;
  /** Re-reads what it needs for `key` and acts; throws to retry with back-off (a TerminalError is not retried). */
  reconcile(key: string): Promise<ReconcileResult>;
  /**
   * Every key there is; the loop enqueues them all every `resyncMs` (and on resync()).
   * @defaultValue none: keys come only from enqueue()
   */
  listKeys?(): Promise<Iterable<string>>;
  /**
   * How often listKeys runs, to heal anything the callers' wake-ups missed.
   * @defaultValue 60000
   */
  resyncMs?: number;
  /**
   * Keys reconciled at once; one key is never reconciled by two workers at a time.
   * @defaultValue 4
   */
  concurrency?: number;
  /**
   * Retry delays (ms) after consecutive errors of a key.
   * @defaultValue 10 ms doubling to 30 s, equal jitter
   */
  backoff?: BackoffPolicy;
  /**
   * A key is not reconciled again until this many times its last reconcile's
   * duration has passed, so a storm of wake-ups on a big object coalesces.
   * Reconciles under 2 ms are never spaced. Reconciles that asked for a requeue are not held back.
   * @defaultValue 0 (off)
   */
  spacingFactor?: number;
  /**
   * Whether a reconcile supersedes the requeue planned before it started (only
   * the delay it returns stands), as a poller's interval counts from its last
   * check. Otherwise the earliest requeue wins, as in controller-runtime.
   * @defaultValue false
   */
  latestRequeueWins?: boolean;
  /**
   * Start the workers at once; otherwise keys only queue up until run() (e.g. until caches are filled).
   * @defaultValue true
   */
  autorun?: boolean;
  /** @defaultValue silent */
  logger?: ReconcilerLogger;
}

export interface ReconcileLoop {
  /** Schedules `key` now; a key already queued is reconciled once. */
  enqueue(key: string): void;
  /** Schedules `key` ahead of keys queued by enqueue (see WorkQueue.addFirst). */
  enqueueFirst(key: string): void;
  /** Schedules `key` after `ms`; an earlier pending requeue of it wins. */
  enqueueAfter(key: string, ms: number): void;
  /** Schedules `key` now and resolves once a reconcile of it that started after this call has finished (or the loop stopped). */
  reconcileNow(key: string): Promise<void>;
  /** Enqueues every key listKeys returns. */
  resync(): Promise<void>;
  /** Starts the workers (only needed with `autorun: false`; later calls do nothing). */
  run(): void;
  /** Resolves once no key is queued or being reconciled (delayed requeues do not count). */
  idle(): Promise<void>;
  /** Stops the resync timer and the workers; waits for reconciles in flight to finish. */
  stop(): Promise<void>;
}

const silent: ReconcilerLogger = { error() {}, warn() {}, debug() {} };

/**
 * The one reconcile loop (controller-runtime's controller, without the
 * watches): a de-duplicating keyed queue, `concurrency` workers, per-key
 * exponential back-off on errors, requeue-after, and a periodic resync.
 */
export function startReconcileLoop(options: ReconcileLoopOptions): ReconcileLoop {
  const log = options.logger ?? silent;
  const queue = new WorkQueue();
  const backoff = new Backoff(options.backoff ?? { base: 10, cap: 30_000, jitter: 'equal' });
  const spacing = options.spacingFactor ?? 0;
  const notBefore = new Map<string, number>();
  /** reconcileNow callers, per key, waiting for the next reconcile of it to start and finish. */
  const asked = new Map<string, Array<() => void>>();
  /** Callers who asked once the key was handed to a worker: they wait for the run after that one. */
  const askedDuring = new Map<string, Array<() => void>>();
  const addWaiter = (map: Map<string, Array<() => void>>, key: string, resolve: () => void): void => {
    const list = map.get(key) ?? [];
    list.push(resolve);
    map.set(key, list);
  };
  /** The key's run is over (or put off): later callers now wait for the next run. */
  const handBack = (key: string): void => {
    for (const resolve of askedDuring.get(key) ?? []) addWaiter(asked, key, resolve);
    askedDuring.delete(key);
    queue.done(key);
  };
  let idleWaiters: Array<() => void> = [];
  let stopped = false;

  const resync = async (): Promise<void> => {
    if (!options.listKeys) return;
    for (const key of await options.listKeys()) queue.add(key);
  };

  const resyncTimer = options.listKeys
    ? setInterval(() => {
        // Spacing marks of keys that were never reconciled again (their objects deleted) would pile up.
        const now = Date.now();
        for (const [key, at] of notBefore) if (at <= now) notBefore.delete(key);
        resync().catch((err) => log.warn({ err, reconciler: options.name }, 'resync list failed'));
      }, options.resyncMs ?? 60_000)
    : undefined;
  resyncTimer?.unref();

  const settle = (): void => {
    if (!stopped && (queue.length > 0 || queue.processingCount > 0)) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const reconcileOne = async (key: string): Promise<void> => {
    const waiting = asked.get(key);
    asked.delete(key);
    const started = Date.now();
    let asksRequeue = false;
    if (options.latestRequeueWins) queue.cancelAfter(key);
    try {
      const result = await options.reconcile(key);
      asksRequeue = result.requeueAfterMs !== undefined;
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
      if (!asksRequeue && took >= 2 && spacing > 0) notBefore.set(key, Date.now() + took * spacing);
      handBack(key);
      for (const resolve of waiting ?? []) resolve();
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const wait = (notBefore.get(key) ?? 0) - Date.now();
      if (wait > 0) {
        handBack(key);
        queue.addAfter(key, wait);
      } else {
        notBefore.delete(key);
        await reconcileOne(key);
      }
      settle();
      // Awaiting settled promises never yields to I/O and timers; give them a turn between reconciles.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  let workers: Array<Promise<void>> | undefined;
  const run = (): void => {
    if (stopped) return;
    workers ??= Array.from({ length: options.concurrency ?? 4 }, () => worker());
  };
  if (options.autorun ?? true) run();

  return {
    enqueue: (key) => queue.add(key),
    enqueueFirst: (key) => queue.addFirst(key),
    enqueueAfter: (key, ms) => queue.addAfter(key, ms),
    reconcileNow(key) {
      if (stopped) return Promise.resolve();
      // A key handed to a worker may not have started yet: whoever asks now waits for the following run.
      const done = new Promise<void>((resolve) => addWaiter(queue.isProcessing(key) ? askedDuring : asked, key, resolve));
      queue.add(key);
      return done;
    },
    resync,
    run,
    idle() {
      if (stopped || (queue.length === 0 && queue.processingCount === 0)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      clearInterval(resyncTimer);
      queue.shutdown();
      await Promise.all(workers ?? []);
      for (const resolve of [...asked.values(), ...askedDuring.values()].flat()) resolve();
      asked.clear();
      askedDuring.clear();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
