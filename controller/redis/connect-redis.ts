import { Redis, type RedisOptions } from 'ioredis';
import { RedisError } from './redis-error.js';

export interface ConnectRedisOptions {
  /**
   * The client backs a BullMQ Queue or Worker: commands wait for a reconnect
   * forever (`maxRetriesPerRequest: null`) instead of failing, as BullMQ requires.
   * @defaultValue false
   */
  forWorker?: boolean;
  /** Shown by `CLIENT LIST`, to tell baton's connections apart. @defaultValue undefined */
  connectionName?: string;
  /**
   * Receives connection errors. Commands still fail on their own, so the
   * default drops them rather than letting ioredis print every reconnect.
   * @defaultValue a no-op
   */
  onError?: (err: Error) => void;
}

/**
 * Where a Redis URL points, as ioredis options. Accepts `redis://` and
 * `rediss://` (TCP, TLS), `redis+unix:///path/redis.sock` and `unix:///path`
 * (a unix socket; `?db=N` and `?password=…` allowed) and a bare absolute path.
 */
export function parseRedisUrl(url: string): RedisOptions {
  if (url.startsWith('/')) return { path: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl(url);
  }
  if (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') {
    // ioredis parses its own URLs (auth, db, TLS); only the scheme is checked here.
    return {};
  }
  if (parsed.protocol !== 'unix:' && parsed.protocol !== 'redis+unix:') throw invalidUrl(url);
  const path = decodeURIComponent(parsed.pathname);
  if (!path || path === '/') throw invalidUrl(url);
  const options: RedisOptions = { path };
  const db = parsed.searchParams.get('db');
  if (db !== null) {
    if (!/^\d+$/.test(db)) throw new RedisError('INVALID_URL', `Redis URL "${redact(url)}": db must be a number, got "${db}"`, { url: redact(url) });
    options.db = Number(db);
  }
  const password = parsed.searchParams.get('password') ?? (parsed.password ? decodeURIComponent(parsed.password) : null);
  if (password) options.password = password;
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  return options;
}

/** An ioredis client for `url` (see parseRedisUrl). The caller closes it with `quit()`. */
export function connectRedis(url: string, options: ConnectRedisOptions = {}): Redis {
  const socketOptions = parseRedisUrl(url);
  const common: RedisOptions = {
    ...(options.forWorker ? { maxRetriesPerRequest: null } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  const client = socketOptions.path ? new Redis({ ...socketOptions, ...common }) : new Redis(url, common);
  client.on('error', options.onError ?? (() => {}));
  return client;
}

function invalidUrl(url: string): RedisError {
  return new RedisError(
    'INVALID_URL',
    `Redis URL "${redact(url)}" is not valid: expected redis://host:port, rediss://…, redis+unix:///path/redis.sock or unix:///path/redis.sock`,
    { url: redact(url) },
  );
}

/** The URL without its password, fit for an error message or a log. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/, '$1***');
}
