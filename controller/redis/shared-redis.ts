import type { Redis } from 'ioredis';
import { connectRedis } from './connect-redis.js';

/** A use of the process's shared command connection; `release` once, when its user closes. */
export interface RedisLease {
  readonly redis: Redis;
  release(): Promise<void>;
}

interface Shared {
  redis: Redis;
  users: number;
}

const shared = new Map<string, Shared>();

/**
 * The one non-blocking command connection of this process for `url`, shared by the
 * state store, sync registry, preview store, webhooks and the queue's producer side:
 * `baton up` runs them all in one process, and each used to open its own. Plain
 * commands, pipelines, scripts and PUBLISH interleave safely on one connection; a
 * user that blocks (XREAD BLOCK, a BullMQ worker), subscribes or needs
 * `maxRetriesPerRequest: null` opens its own with connectRedis. The connection is
 * closed when the last lease is released.
 */
export function leaseRedis(url: string): RedisLease {
  let entry = shared.get(url);
  if (!entry || entry.redis.status === 'end') {
    entry = { redis: connectRedis(url, { connectionName: 'baton-commands' }), users: 0 };
    shared.set(url, entry);
  }
  entry.users += 1;
  const held = entry;
  let released = false;
  return {
    redis: held.redis,
    async release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users > 0) return;
      if (shared.get(url) === held) shared.delete(url);
      await held.redis.quit().catch(() => held.redis.disconnect());
    },
  };
}
