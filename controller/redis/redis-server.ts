import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { access, constants, mkdir } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { RedisError } from './redis-error.js';

export interface RedisServerOptions {
  /** Data directory: the append-only file lives here, and the unix socket by default. */
  dir: string;
  /**
   * Listen on the unix socket `<dir>/redis.sock` (mode 700, so only this user connects).
   * @defaultValue true
   */
  socket?: boolean;
  /**
   * Also (or, with `socket: false`, only) listen on this TCP port of 127.0.0.1;
   * 0 picks a free one. Without a socket a port is always opened.
   * @defaultValue no TCP port when `socket` is true, else 0
   */
  port?: number;
  /** How long to wait for the first PONG (loading a large AOF takes time). @defaultValue 30000 */
  startTimeoutMs?: number;
  /** How long a stop waits after SIGTERM before SIGKILL. @defaultValue 10000 */
  stopTimeoutMs?: number;
}

export interface RedisServer {
  /** `redis+unix:///…/redis.sock` when on a socket, else `redis://127.0.0.1:<port>`. */
  url: string;
  socketPath?: string;
  port?: number;
  pid: number;
  /** Settles when redis-server exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (Redis flushes the AOF and exits), SIGKILL after stopTimeoutMs. Idempotent. */
  stop(): Promise<void>;
}

/** sun_path holds 108 bytes with its NUL; Redis refuses longer paths with a vague message. */
const MAX_SOCKET_PATH = 107;

/**
 * Starts a private `redis-server` child owned by this process: no config
 * file, data in `dir`, reachable only through a mode-700 unix socket (or
 * loopback TCP). Resolves once it answers PING.
 */
export async function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  const dir = resolve(options.dir);
  const useSocket = options.socket ?? true;
  const binary = await findOnPath('redis-server');
  if (!binary) {
    throw new RedisError(
      'REDIS_NOT_INSTALLED',
      'redis-server is not installed: run `npx baton setup` (it installs what baton needs), or set REDIS_URL to a Redis you run',
      { dir },
    );
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const socketPath = useSocket ? join(dir, 'redis.sock') : undefined;
  if (socketPath) {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      throw new RedisError(
        'SOCKET_PATH_TOO_LONG',
        `the Redis socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes (a unix socket limit): use a shorter state dir or set REDIS_URL`,
        { dir },
      );
    }
    // Redis unlinks a leftover socket file before binding, so a live one would be stolen.
    if (await socketAnswers(socketPath)) {
      throw new RedisError(
        'STATE_DIR_BUSY',
        `a Redis is already listening on ${socketPath}: another baton uses the state dir ${dir}; stop it or pick another --state-dir`,
        { dir },
      );
    }
  }
  const port = useSocket && options.port === undefined ? undefined : options.port || (await freeLoopbackPort());

  const args = [
    '--port', String(port ?? 0),
    ...(port !== undefined ? ['--bind', '127.0.0.1'] : []),
    ...(socketPath ? ['--unixsocket', socketPath, '--unixsocketperm', '700'] : []),
    '--dir', dir,
    // The queue and app state must survive a crash of Redis or of the machine:
    // the append-only file logs every write (fsync each second; a killed
    // redis-server loses nothing the kernel already has), and RDB snapshots,
    // which would lose everything since the last one, are off.
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    // BullMQ needs keys never evicted.
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
  ];
  const child = await spawnTiedToParent(binary, args);
  const output = tailBuffer(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });

  const url = socketPath ? `redis+unix://${socketPath}` : `redis://127.0.0.1:${port}`;
  try {
    await waitForPong(socketPath ? { path: socketPath } : { host: '127.0.0.1', port }, exited, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw new RedisError('START_FAILED', `redis-server did not start in ${dir}: ${(err as Error).message}\n${output()}`.trimEnd(), {
      dir,
      output: output(),
    });
  }

  let stopping: Promise<void> | undefined;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  return {
    url,
    socketPath,
    port,
    pid: child.pid!,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/**
 * Spawns through `setpriv --pdeathsig SIGTERM` where available, so the
 * kernel stops redis-server when baton dies, even by SIGKILL, and no orphan
 * keeps the state dir's socket.
 */
async function spawnTiedToParent(binary: string, args: string[]): Promise<ChildProcess> {
  const setpriv = await findOnPath('setpriv');
  const [command, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', binary, ...args]] : [binary, args];
  // Its own process group: Ctrl-C on baton's terminal goes to baton, which stops Redis last, not to Redis mid-shutdown.
  // umask 077 for the child: its append-only file and snapshots hold the sync queue and kept manifests, owner-only.
  const umask = process.umask(0o077);
  let child: ChildProcess;
  try {
    child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } finally {
    process.umask(umask);
  }
  await Promise.race([once(child, 'spawn'), once(child, 'error').then(([err]) => Promise.reject(err))]);
  return child;
}

/** Keeps the last lines the child printed (for error messages) and drains its pipes. */
function tailBuffer(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text.split('\n').slice(-15).join('\n');
}

async function waitForPong(
  target: { path: string } | { host: string; port?: number },
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    if (exit) throw new Error(`redis-server exited (${exit.signal ?? `code ${exit.code}`})`);
    const client = new Redis({ ...target, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    client.on('error', () => {});
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no PONG within ${timeoutMs} ms (${lastError})`);
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}
