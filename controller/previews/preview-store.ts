import type { Redis } from 'ioredis';
import { leaseRedis, type RedisLease } from '../redis/shared-redis.js';
import type { PreviewApproval } from './preview-approval.js';
import type { PreviewRecord } from './preview-record.js';

/** Open previews: request number → PreviewRecord (JSON). */
const PREVIEWS_KEY = 'baton:previews';
/**
 * Maintainers' label approvals: `<number>@<repository>` → PreviewApproval
 * (JSON). Kept apart from the preview, which a close, the TTL or the cap
 * removes: a reopened or re-previewed request is still held to its approved
 * head. Deleted when baton sees the label gone or the request merged.
 */
const APPROVALS_KEY = 'baton:preview-approvals';

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

  async getApproval(repository: string, number: number): Promise<PreviewApproval | undefined> {
    const json = await this.redis.hget(APPROVALS_KEY, `${number}@${repository}`);
    return json ? (JSON.parse(json) as PreviewApproval) : undefined;
  }

  async putApproval(repository: string, number: number, approval: PreviewApproval): Promise<void> {
    await this.redis.hset(APPROVALS_KEY, `${number}@${repository}`, JSON.stringify(approval));
  }

  async deleteApproval(repository: string, number: number): Promise<void> {
    await this.redis.hdel(APPROVALS_KEY, `${number}@${repository}`);
  }

  async close(): Promise<void> {
    await this.lease.release();
  }
}
