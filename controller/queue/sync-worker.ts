import { EventEmitter } from 'node:events';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from '../redis/connect-redis.js';
import { runScript } from '../redis/run-script.js';
import { appRequestKey, CANCEL_CHANNEL, QUEUE_PREFIX, SYNC_QUEUE_NAME } from './queue-keys.js';
import { RetryLaterError } from './retry-later-error.js';
import { syncBackoffDelay } from './sync-backoff.js';
import type { SyncJobData, SyncJobResult, SyncOutcome } from './sync-job.js';

export interface SyncWorkerOptions {
  /** Where Redis is (see parseRedisUrl). */
  redisUrl: string;
  /** Syncs run at once by this worker; always of different apps. @defaultValue 4 */
  concurrency?: number;
  /**
   * How long a job's lock lasts unrenewed. A worker renews it every half of
   * this while alive; the jobs of a worker that died are recovered once it lapses.
   * @defaultValue 30000
   */
  lockDuration?: number;
  /**
   * How often workers look for jobs whose worker died. The check is shared:
   * each one holds off the next for this long, so give all workers the same value.
   * @defaultValue 30000
   */
  stalledInterval?: number;
  /**
   * Times one job may be recovered from a dead worker before it fails for good.
   * A sync re-reads everything, so running it again is safe; only one that keeps
   * killing its workers should stop.
   * @defaultValue 3
   */
  maxStalledCount?: number;
  /** The longest wait between retries of a failing sync. @defaultValue 300000 */
  backoffMaxMs?: number;
  /** Start taking jobs at once; otherwise call run(). @defaultValue true */
  autorun?: boolean;
}

export interface SyncJobContext {
  jobId: string;
  /** 1 for the first try of this job, 2 for the first retry, … */
  attempt: number;
  /**
   * Aborted when the worker is closed with force, has lost the job's lock
   * (another worker may take the job over) or the sync was called off
   * (SyncQueue.cancel): stop at the next safe point.
   */
  signal: AbortSignal;
}

/**
 * The sync itself, supplied by the caller. It receives the app's newest
 * request, which may be newer than the one that created the job. Throw
 * UnrecoverableError for failures a retry cannot fix, RetryLaterError to wait
 * on something; any other error is retried with back-off.
 */
export type SyncProcessor<O = SyncOutcome> = (request: SyncJobData, context: SyncJobContext) => Promise<O>;

export interface SyncJobEvent {
  jobId: string;
  request: SyncJobData;
  attempt: number;
}

/** Listener arguments per event, for metrics (queue wait time, durations) and logs. */
export interface SyncWorkerEvents<O = SyncOutcome> {
  /** `waitMs`: from the job's creation to this start (BullMQ's processedOn - timestamp). */
  started: [event: SyncJobEvent & { waitMs: number }];
  completed: [event: SyncJobEvent & { outcome: O; durationMs: number }];
  /** An earlier job already synced this request (the app's requests coalesce). */
  skipped: [event: SyncJobEvent];
  failed: [event: SyncJobEvent & { error: Error; durationMs: number; willRetry: boolean }];
  /** The job waits on something (RetryLaterError) and runs again after `delayMs`. */
  deferred: [event: SyncJobEvent & { delayMs: number; reason: string }];
  /** Worker-level trouble, e.g. Redis unreachable. Ignored when nobody listens. */
  error: [error: Error];
}

/** Raises `servedSeq` to ARGV[1] unless it is already higher. */
const MARK_SERVED = `
local served = tonumber(redis.call('HGET', KEYS[1], 'servedSeq') or '0')
if served < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'servedSeq', ARGV[1]) end
return 1
`;

const LOCK_LOST = /could not renew lock for job (\S+)/;
const STALLED_OUT = /(stalled|started) more than allowable limit/;

/**
 * The consumer side of the `sync` queue: runs the caller's processor for
 * each job, at most one per app at a time across all workers (the queue's
 * deduplication keeps one job per app in flight), with retries, back-off and
 * recovery of jobs whose worker died.
 */
export class SyncWorker<O = SyncOutcome> {
  readonly worker: Worker<SyncJobData, SyncJobResult<O>>;
  private readonly redis: Redis;
  /** Subscribed to CANCEL_CHANNEL. */
  private readonly cancels: Redis;
  private readonly events = new EventEmitter();
  /** The job each app's running sync is, for a cancel to find. */
  private readonly running = new Map<string, string>();
  /** Jobs called off, with why: they fail without a retry. */
  private readonly cancelled = new Map<string, string>();

  constructor(
    private readonly processor: SyncProcessor<O>,
    options: SyncWorkerOptions,
  ) {
    this.redis = connectRedis(options.redisUrl, { forWorker: true, connectionName: 'baton-sync-worker' });
    const backoffMaxMs = options.backoffMaxMs ?? 300_000;
    this.worker = new Worker<SyncJobData, SyncJobResult<O>>(SYNC_QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection: this.redis,
      prefix: QUEUE_PREFIX,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockDuration ?? 30_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 3,
      autorun: options.autorun ?? true,
      settings: {
        backoffStrategy: (attemptsMade, _type, _err, job) =>
          syncBackoffDelay(attemptsMade, { baseMs: backoffBase(job?.opts.backoff), maxMs: backoffMaxMs }),
      },
    });
    // BullMQ fails a job whose workers kept dying without running it again: say so like any final failure.
    this.worker.on('failed', (job, err) => {
      if (!job || !STALLED_OUT.test(err.message)) return;
      const error = new Error(`the workers running this sync died ${job.stalledCounter} times (${err.message}); it is not retried`);
      this.emit('failed', { jobId: job.id!, request: job.data, attempt: job.attemptsMade + 1, error, durationMs: 0, willRetry: false });
    });
    this.worker.on('error', (err) => {
      // A lock that could not be renewed may already be another worker's: tell the processor to stop.
      const lost = LOCK_LOST.exec(err.message);
      if (lost) this.worker.cancelJob(lost[1], 'lost the job lock');
      if (this.events.listenerCount('error') > 0) this.events.emit('error', err);
    });
    this.cancels = connectRedis(options.redisUrl, { forWorker: true, connectionName: 'baton-sync-cancel' });
    this.cancels.on('message', (_channel: string, text: string) => {
      try {
        const { app, reason } = JSON.parse(text) as { app: string; reason: string };
        this.cancelApp(app, reason);
      } catch {}
    });
    this.cancels.subscribe(CANCEL_CHANNEL).catch((err: unknown) => {
      if (this.events.listenerCount('error') > 0) this.events.emit('error', err);
    });
  }

  /** Aborts the app's running sync here, if this worker runs one; it fails for good with `reason`. */
  private cancelApp(app: string, reason: string): void {
    const jobId = this.running.get(app);
    if (jobId === undefined) return;
    this.cancelled.set(jobId, reason);
    this.worker.cancelJob(jobId, reason);
  }

  on<E extends keyof SyncWorkerEvents<O>>(event: E, listener: (...args: SyncWorkerEvents<O>[E]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof SyncWorkerEvents<O>>(event: E, listener: (...args: SyncWorkerEvents<O>[E]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Starts taking jobs (only needed with `autorun: false`). */
  run(): void {
    void this.worker.run();
  }

  /** Resolves when the worker is connected and listening for jobs. */
  waitUntilReady(): Promise<unknown> {
    return this.worker.waitUntilReady();
  }

  /** Stops taking jobs and waits for running ones; `force` aborts them instead. */
  async close(force = false): Promise<void> {
    if (force) this.worker.cancelAllJobs('worker closing');
    await this.worker.close(force);
    await Promise.all([this.redis, this.cancels].map((r) => r.quit().catch(() => r.disconnect())));
  }

  private async process(job: Job<SyncJobData>, token: string | undefined, signal: AbortSignal | undefined): Promise<SyncJobResult<O>> {
    const jobId = job.id!;
    const attempt = job.attemptsMade + 1;
    const key = appRequestKey(job.data.app);
    const [latestJson, servedText] = await this.redis.hmget(key, 'latest', 'servedSeq');
    const latest = latestJson ? (JSON.parse(latestJson) as SyncJobData) : undefined;
    const request = latest && latest.seq > job.data.seq ? latest : job.data;
    const base: SyncJobEvent = { jobId, request, attempt };

    if (Number(servedText ?? 0) >= request.seq) {
      this.emit('skipped', base);
      return { skipped: true, request };
    }
    this.emit('started', { ...base, waitMs: (job.processedOn ?? Date.now()) - job.timestamp });
    const startedAt = Date.now();
    this.running.set(request.app, jobId);
    try {
      const outcome = await this.processor(request, { jobId, attempt, signal: signal ?? new AbortController().signal });
      await runScript(this.redis, MARK_SERVED, 1, key, request.seq);
      this.emit('completed', { ...base, outcome, durationMs: Date.now() - startedAt });
      return { skipped: false, request, outcome };
    } catch (err) {
      if (err instanceof RetryLaterError) {
        await job.moveToDelayed(Date.now() + err.data.delayMs, token);
        this.emit('deferred', { ...base, delayMs: err.data.delayMs, reason: err.message });
        // Tells BullMQ the job was moved on purpose; no attempt is spent.
        throw new DelayedError();
      }
      const why = this.cancelled.get(jobId);
      // A sync called off is over: no retry would be wanted.
      const error = why !== undefined ? new UnrecoverableError(`cancelled: ${why}`) : err instanceof Error ? err : new Error(String(err));
      const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || attempt >= (job.opts.attempts ?? 1);
      // A request that failed for good is served too: only a newer request retries it.
      if (final) await runScript(this.redis, MARK_SERVED, 1, key, request.seq);
      this.emit('failed', { ...base, error, durationMs: Date.now() - startedAt, willRetry: !final });
      throw error;
    } finally {
      if (this.running.get(request.app) === jobId) this.running.delete(request.app);
      this.cancelled.delete(jobId);
    }
  }

  private emit<E extends keyof SyncWorkerEvents<O>>(event: E, ...args: SyncWorkerEvents<O>[E]): void {
    // A throwing listener (metrics, logging) must not fail the sync.
    try {
      this.events.emit(event, ...args);
    } catch {}
  }
}

function backoffBase(backoff: unknown): number | undefined {
  return typeof backoff === 'object' && backoff !== null && typeof (backoff as { delay?: unknown }).delay === 'number'
    ? (backoff as { delay: number }).delay
    : undefined;
}
