import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { leaseRedis, type RedisLease } from '../redis/shared-redis.js';
import { runScript } from '../redis/run-script.js';
import { appRequestKey, CANCEL_CHANNEL, QUEUE_PREFIX, REQUEST_SEQ_KEY, SYNC_QUEUE_NAME } from './queue-keys.js';
import { SYNC_TRIGGERS, type SyncJobData, type SyncRequest } from './sync-job.js';

export interface SyncQueueOptions {
  /** Where Redis is: redis://, rediss://, redis+unix:// or unix:// (see parseRedisUrl). */
  redisUrl: string;
  /** Tries per request, the first included; transient errors retry with back-off up to this. @defaultValue 10 */
  attempts?: number;
  /** Delay before the first retry; each later one doubles it (with jitter, capped by the worker). @defaultValue 1000 */
  backoffBaseMs?: number;
  /** Completed and failed jobs kept in Redis for inspection, each. @defaultValue 1000 */
  keepFinished?: number;
}

export interface EnqueueResult {
  /** The request's sequence number; higher is newer. */
  seq: number;
  /** The job that will serve the request: a new one, or the app's pending or running one. */
  jobId: string;
}

/** Jobs per state, for a queue-depth gauge. `waiting` includes prioritized jobs. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/**
 * Makes each request its app's newest, numbering them in order; atomic so
 * concurrent enqueuers agree on order. A newer request replaces an unserved
 * one, so an unserved `prune: true` (`baton sync NAME --prune`) is carried
 * into it: a poll landing before the forced sync runs must not drop what a person asked.
 * KEYS: the sequence, then each request's app hash. ARGV[1]: JSON [request fields…].
 * Returns each request as numbered (JSON), in order.
 */
const RECORD_REQUESTS = `
local recorded = {}
for i, data in ipairs(cjson.decode(ARGV[1])) do
  local key = KEYS[i + 1]
  local seq = redis.call('INCR', KEYS[1])
  data['seq'] = seq
  local previous = redis.call('HGET', key, 'latest')
  if previous then
    local p = cjson.decode(previous)
    local served = tonumber(redis.call('HGET', key, 'servedSeq') or '0')
    if p['prune'] == true and (p['seq'] or 0) > served then data['prune'] = true end
  end
  local encoded = cjson.encode(data)
  redis.call('HSET', key, 'latest', encoded, 'latestSeq', seq)
  recorded[i] = encoded
end
return recorded
`;

/**
 * The producer side of the `sync` queue. One pending job per app, newest
 * request winning, never two syncs of one app at once:
 *
 * - BullMQ deduplication with the app name as id and `keepLastIfActive`: while
 *   the app's job runs, new requests collapse into one follow-up job holding
 *   the newest data, created when the running one finishes; `replace` swaps a
 *   job that is delayed (waiting out a retry back-off) for the new request.
 * - A job that is merely waiting is left alone by BullMQ (the new add is
 *   dropped), so every request is also written to a per-app hash, and the
 *   worker syncs whichever is newer: the job's data or that hash.
 */
export class SyncQueue {
  readonly queue: Queue<SyncJobData>;
  private readonly lease: RedisLease;
  private readonly redis: Redis;
  private readonly options: Required<Omit<SyncQueueOptions, 'redisUrl'>>;

  constructor(options: SyncQueueOptions) {
    this.options = { attempts: 10, backoffBaseMs: 1000, keepFinished: 1000, ...options };
    // The producer side shares the process's command connection: adds fail fast when Redis is gone, as BullMQ advises
    // for a Queue (only a Worker needs maxRetriesPerRequest: null); a Queue leaves a connection it was given open.
    this.lease = leaseRedis(options.redisUrl);
    this.redis = this.lease.redis;
    this.queue = new Queue<SyncJobData>(SYNC_QUEUE_NAME, { connection: this.redis, prefix: QUEUE_PREFIX });
    // Queue errors (a lost connection) also surface as rejected calls; this keeps them from being unhandled.
    this.queue.on('error', () => {});
  }

  async enqueue(request: SyncRequest): Promise<EnqueueResult> {
    return (await this.enqueueAll([request]))[0];
  }

  /**
   * enqueue for each request, in order: the requests are numbered in one call
   * to Redis (a commit that changes 1,000 apps made 1,000 such calls), then
   * their jobs are added, each by its own call as `enqueue` adds it. Not `addBulk`: a job added in bulk
   * for an app whose job was running came back after that job was cancelled
   * (test/e2e/recovery). The calls are sent without waiting for each reply (1,000 round trips in a
   * row on a first plan): each makes the same calls before its script is sent, so they reach Redis,
   * and the wait list, in the order given.
   */
  async enqueueAll(requests: readonly SyncRequest[]): Promise<EnqueueResult[]> {
    if (requests.length === 0) return [];
    for (const request of requests) checkRequest(request);
    const requestedAt = new Date().toISOString();
    const fields = requests.map((request) => {
      const data: Omit<SyncJobData, 'seq'> = { app: request.app, revision: request.revision, trigger: request.trigger, requestedAt };
      if (request.message !== undefined) data.message = request.message;
      if (request.prune) data.prune = true;
      return data;
    });
    const keys = requests.map((request) => appRequestKey(request.app));
    const encoded = (await runScript(this.redis, RECORD_REQUESTS, 1 + keys.length, REQUEST_SEQ_KEY, ...keys, JSON.stringify(fields))) as string[];
    const data = encoded.map((json) => JSON.parse(json) as SyncJobData);
    const jobs = await Promise.all(
      data.map((job) =>
        this.queue.add('sync', job, {
          deduplication: { id: job.app, replace: true, keepLastIfActive: true },
          attempts: this.options.attempts,
          backoff: { type: 'baton', delay: this.options.backoffBaseMs },
          removeOnComplete: { count: this.options.keepFinished },
          removeOnFail: { count: this.options.keepFinished },
        }),
      ),
    );
    return data.map((job, i) => ({ seq: job.seq, jobId: jobs[i].id! }));
  }

  /**
   * Calls off the app's syncs: its pending job is removed, and the worker
   * running one (in any process) aborts it between objects, without a retry
   * (SyncWorker listens on CANCEL_CHANNEL). Nothing happens for an app with no sync.
   */
  async cancel(app: string, reason: string): Promise<void> {
    const jobId = await this.queue.getDeduplicationJobId(app);
    // A running job is locked and stays: only its worker can stop it.
    if (jobId) await this.queue.remove(jobId).catch(() => 0);
    await this.redis.publish(CANCEL_CHANNEL, JSON.stringify({ app, reason }));
  }

  /** The newest request for `app`, served or not. */
  async latestRequest(app: string): Promise<SyncJobData | undefined> {
    const encoded = await this.redis.hget(appRequestKey(app), 'latest');
    return encoded ? (JSON.parse(encoded) as SyncJobData) : undefined;
  }

  /** The state of the app's pending or running sync, if it has one (for a "Syncing" status). */
  async pendingState(app: string): Promise<'active' | 'waiting' | 'delayed' | undefined> {
    const jobId = await this.queue.getDeduplicationJobId(app);
    if (!jobId) return undefined;
    const state = await this.queue.getJobState(jobId);
    if (state === 'active' || state === 'delayed') return state;
    if (state === 'waiting' || state === 'prioritized') return 'waiting';
    return undefined;
  }

  async depth(): Promise<QueueDepth> {
    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.lease.release();
  }
}

function checkRequest(request: SyncRequest): void {
  if (typeof request.app !== 'string' || request.app === '') throw new TypeError('sync request: app must be a non-empty string');
  if (typeof request.revision !== 'string' || request.revision === '') {
    throw new TypeError(`sync request for ${request.app}: revision must be a non-empty string`);
  }
  if (!SYNC_TRIGGERS.includes(request.trigger)) {
    throw new TypeError(`sync request for ${request.app}: trigger must be one of ${SYNC_TRIGGERS.join(', ')}, got "${String(request.trigger)}"`);
  }
}
