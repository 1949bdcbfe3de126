import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis } from '../../controller/redis/connect-redis.js';
import { startRedisServer, type RedisServer, type RedisServerOptions } from '../../controller/redis/redis-server.js';

export interface TestRedis extends RedisServer {
  /** The private data directory (a fresh mkdtemp dir). */
  dir: string;
  /** Deletes every key, for a clean slate between tests sharing this server. */
  flush(): Promise<void>;
  /** Stops redis-server and deletes its directory. */
  cleanup(): Promise<void>;
}

/**
 * A private redis-server on a unix socket in a fresh temp dir, for one test
 * file. Use it as
 *   let redis: TestRedis;
 *   beforeAll(async () => { redis = await startTestRedis(); });
 *   afterAll(() => redis?.cleanup());
 * Never point tests at a Redis they did not start.
 */
export async function startTestRedis(options: Omit<RedisServerOptions, 'dir'> & { dir?: string } = {}): Promise<TestRedis> {
  // Short names: a unix socket path must stay under 108 bytes.
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'baton-redis-')));
  const server = await startRedisServer({ ...options, dir });
  return {
    ...server,
    dir,
    async flush() {
      const client = connectRedis(server.url);
      try {
        await client.flushall();
      } finally {
        await client.quit();
      }
    },
    async cleanup() {
      await server.stop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
