import type { Redis } from 'ioredis';
import type { RepositorySpec } from '../apps/app-spec.js';
import { leaseRedis, type RedisLease } from '../redis/shared-redis.js';
import { APP_REPOS_KEY } from './state-keys.js';

/** Repositories the controller follows: `id` → `{spec, revision}` (JSON). */
const REPOS_KEY = 'baton:repos';

export interface RegisteredRepository {
  spec: RepositorySpec;
  /** The newest commit of the followed branch the controller has seen; undefined before the first. */
  revision?: string;
}

/**
 * What a worker needs to find an app's desired state without the
 * controller's memory: the repository that declares the app, and that
 * repository's newest commit. The controller writes it; workers in any
 * process read it, so a sync never trusts the job that woke it.
 */
export class SyncRegistry {
  private readonly lease: RedisLease;
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.lease = leaseRedis(redisUrl);
    this.redis = this.lease.redis;
  }

  async setRepository(spec: RepositorySpec, revision?: string): Promise<void> {
    const known = await this.repository(spec.id);
    const entry: RegisteredRepository = { spec, revision: revision ?? known?.revision };
    await this.redis.hset(REPOS_KEY, spec.id, JSON.stringify(entry));
  }

  async repository(id: string): Promise<RegisteredRepository | undefined> {
    const json = await this.redis.hget(REPOS_KEY, id);
    return json ? (JSON.parse(json) as RegisteredRepository) : undefined;
  }

  async setApps(repository: string, apps: readonly string[]): Promise<void> {
    if (apps.length === 0) return;
    await this.redis.hset(APP_REPOS_KEY, Object.fromEntries(apps.map((a) => [a, repository])));
  }

  async removeApps(apps: readonly string[]): Promise<void> {
    if (apps.length > 0) await this.redis.hdel(APP_REPOS_KEY, ...apps);
  }

  /** The id of the repository declaring `app`. */
  async repositoryOf(app: string): Promise<string | undefined> {
    return (await this.redis.hget(APP_REPOS_KEY, app)) ?? undefined;
  }

  /** Apps declared by `repository`, by name. */
  async appsOf(repository: string): Promise<string[]> {
    const all = await this.redis.hgetall(APP_REPOS_KEY);
    return Object.entries(all)
      .filter(([, repo]) => repo === repository)
      .map(([app]) => app)
      .sort();
  }

  async close(): Promise<void> {
    await this.lease.release();
  }
}
