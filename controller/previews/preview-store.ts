import type { Redis } from 'ioredis';
import { leaseRedis, type RedisLease } from '../redis/shared-redis.js';
import type { PreviewRecord } from './preview-record.js';

/** Open previews: request number → PreviewRecord (JSON). */
const PREVIEWS_KEY = 'baton:previews';

/**
 * The previews baton keeps, in Redis so the controller, workers in other
 * processes and the API agree on which requests are open.
 */
export class PreviewStore {
  private readonly lease: RedisLease;
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.lease = leaseRedis(redisUrl);
    this.redis = this.lease.redis;
  }

  async get(number: number): Promise<PreviewRecord | undefined> {
    const json = await this.redis.hget(PREVIEWS_KEY, String(number));
    return json ? (JSON.parse(json) as PreviewRecord) : undefined;
  }

  /** Every open preview, oldest activity first. */
  async list(): Promise<PreviewRecord[]> {
    const all = Object.values(await this.redis.hgetall(PREVIEWS_KEY)).map((json) => JSON.parse(json) as PreviewRecord);
    return all.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.number - b.number);
  }

  async put(record: PreviewRecord): Promise<void> {
    await this.redis.hset(PREVIEWS_KEY, String(record.number), JSON.stringify(record));
  }

  /** True when the preview was there. */
  async delete(number: number): Promise<boolean> {
    return (await this.redis.hdel(PREVIEWS_KEY, String(number))) > 0;
  }

  async close(): Promise<void> {
    await this.lease.release();
  }
}
