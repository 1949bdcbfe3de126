import { backoffDelay } from '../../runtime/kube/reconcile/backoff.js';
import { parseRedisUrl, redact } from './connect-redis.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

export interface OpenRedisOptions {
  /** baton's state dir: its own Redis keeps `redis.sock` and the append-only files here. */
  stateDir: string;
  /** A Redis the user runs (`REDIS_URL` or a flag); when set, no redis-server is started. @defaultValue undefined */
  redisUrl?: string;
  /**
   * Start the private redis-server again when it dies (it reloads its
   * append-only file; clients reconnect by themselves), waiting 1 s, doubling to 30 s.
   * @defaultValue true
   */
  restartOnExit?: boolean;
  /** Told about each unexpected exit and restart (or failed restart), for the log. @defaultValue undefined */
  onRestart?: (event: { exit: { code: number | null; signal: NodeJS.Signals | null }; error?: Error }) => void;
}

export interface OpenedRedis {
  url: string;
  /** True when baton runs its own redis-server. */
  readonly owned: boolean;
  /** The private redis-server's pid (it changes on restart). */
  readonly pid: number | undefined;
  /** Stops the private redis-server; leaves a user's Redis alone. */
  close(): Promise<void>;
}

/**
 * The Redis `baton up` uses: the user's (REDIS_URL) if given, else a private
 * redis-server on `<stateDir>/redis.sock`, as ARCHITECTURE.md's state dir
 * contract says, restarted if it dies.
 */
export async function openRedis(options: OpenRedisOptions): Promise<OpenedRedis> {
  if (options.redisUrl) {
    parseRedisUrl(options.redisUrl);
    return { url: options.redisUrl, owned: false, pid: undefined, close: async () => {} };
  }
  let server: RedisServer = await startRedisServer({ dir: options.stateDir });
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  const restart = (exit: { code: number | null; signal: NodeJS.Signals | null }, attempt: number) => {
    retryTimer = setTimeout(() => {
      if (closed) return;
      starting = startRedisServer({ dir: options.stateDir }).then(
        (next) => {
          // Assigned even when closing meanwhile, so close() stops it.
          server = next;
          if (closed) return;
          options.onRestart?.({ exit });
          watch(next);
        },
        (error: Error) => {
          options.onRestart?.({ exit, error });
          restart(exit, attempt + 1);
        },
      );
    }, backoffDelay(attempt, { base: 1000, cap: 30_000 }));
  };
  const watch = (current: RedisServer) => {
    void current.exited.then((exit) => {
      if (!closed && options.restartOnExit !== false) restart(exit, 0);
    });
  };
  watch(server);

  return {
    url: server.url,
    owned: true,
    get pid() {
      return server.pid;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await starting;
      await server.stop();
    },
  };
}

/** Where Redis is, for a log line, without a password. */
export function describeRedis(opened: OpenedRedis): string {
  return opened.owned ? `private redis-server (pid ${opened.pid}) at ${opened.url}` : redact(opened.url);
}
