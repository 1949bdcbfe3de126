import { parseRedisUrl, redact } from './connect-redis.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

export interface OpenRedisOptions {
  /** baton's state dir: its own Redis keeps `redis.sock` and the append-only files here. */
  stateDir: string;
  /** A Redis the user runs (`REDIS_URL` or a flag); when set, no redis-server is started. @defaultValue undefined */
  redisUrl?: string;
}

export interface OpenedRedis {
  url: string;
  /** The private redis-server, when baton started one. */
  server?: RedisServer;
  /** Stops the private redis-server; leaves a user's Redis alone. */
  close(): Promise<void>;
}

/**
 * The Redis `baton up` uses: the user's (REDIS_URL) if given, else a private
 * redis-server on `<stateDir>/redis.sock`, as ARCHITECTURE.md's state dir
 * contract says.
 */
export async function openRedis(options: OpenRedisOptions): Promise<OpenedRedis> {
  if (options.redisUrl) {
    parseRedisUrl(options.redisUrl);
    return { url: options.redisUrl, close: async () => {} };
  }
  const server = await startRedisServer({ dir: options.stateDir });
  return { url: server.url, server, close: () => server.stop() };
}

/** How to show where Redis is, without a password. */
export function describeRedis(opened: OpenedRedis): string {
  return opened.server ? `private redis-server (pid ${opened.server.pid}) at ${opened.server.socketPath}` : redact(opened.url);
}
