import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '../../controller/redis/redis-server.js';
import { batonArgv, repoRoot as root } from '../support/baton-cli.js';

export const PROCESS_KINDS = ['controller', 'worker', 'runtime', 'redis-server'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];


interface Running {
  pid: number;
  exited: Promise<unknown>;
  /** Set once it printed its ready line (or answered PING). */
  ready: Promise<void>;
  killedByUs: boolean;
}

export interface ChaosProcessesOptions {
  stateDir: string;
  repoDir: string;
  /** The runtime's API port, fixed so its kubeconfig stays the same across restarts. */
  runtimePort: number;
  log: (line: string) => void;
}

/**
 * The four processes of a baton installation, each started on its own so
 * that each can be SIGKILLed alone: redis-server (append-only file, as
 * baton's own), `baton runtime`, `baton up --no-runtime --no-worker` (the
 * controller) and `baton worker`. A process that exits by itself (e.g. a
 * controller that could not reach Redis at start) is started again too.
 */
export class ChaosProcesses {
  private readonly running = new Map<ProcessKind, Running>();
  private readonly logs = new Map<ProcessKind, WriteStream>();
  private redis: RedisServer | undefined;
  private stopped = false;
  readonly redisUrl: string;

  constructor(private readonly options: ChaosProcessesOptions) {
    this.redisUrl = `redis+unix://${join(options.stateDir, 'redis', 'redis.sock')}`;
  }

  get kubeconfig(): string {
    return join(this.options.stateDir, 'kubeconfig');
  }

  logPath(kind: ProcessKind): string {
    return join(this.options.stateDir, 'logs', `${kind}.log`);
  }

  async startAll(): Promise<void> {
    await mkdir(join(this.options.stateDir, 'logs'), { recursive: true });
    for (const kind of ['redis-server', 'runtime', 'controller', 'worker'] as const) {
      this.start(kind);
      await this.running.get(kind)!.ready;
    }
  }

  /** Waits until every process is up (after restarts). */
  async ready(): Promise<void> {
    for (let settled = false; !settled; ) {
      const entries = PROCESS_KINDS.map((kind) => this.running.get(kind));
      for (const entry of entries) await entry?.ready;
      await sleep(200);
      settled = PROCESS_KINDS.every((kind, i) => this.running.get(kind) === entries[i] && alive(entries[i]!.pid));
      if (!settled) await sleep(500);
    }
  }

  pid(kind: ProcessKind): number | undefined {
    return this.running.get(kind)?.pid;
  }

  /** SIGKILL, wait for the exit, then start it again after `restartAfterMs`. */
  async kill(kind: ProcessKind, restartAfterMs: number): Promise<void> {
    const current = this.running.get(kind);
    if (!current) return;
    // A kill during a (re)start lands as soon as there is a pid.
    current.killedByUs = true;
    signal(current.pid, 'SIGKILL');
    await current.exited;
    await sleep(restartAfterMs);
    if (!this.stopped) this.start(kind);
  }

  /** SIGKILLs all four (pods are left to the caller). */
  async stopAll(): Promise<void> {
    this.stopped = true;
    for (const [, r] of this.running) {
      r.killedByUs = true;
      signal(r.pid, 'SIGKILL');
      await r.exited;
    }
    for (const stream of this.logs.values()) stream.end();
  }

  async tail(kind: ProcessKind, lines = 20): Promise<string> {
    const text = await readFile(this.logPath(kind), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines - 1).join('\n');
  }

  private start(kind: ProcessKind): void {
    const log = this.logFor(kind);
    log.write(`\n=== ${new Date().toISOString()} starting ${kind}\n`);
    const entry = kind === 'redis-server' ? this.startRedis(log) : this.startBaton(kind, log);
    this.running.set(kind, entry);
    void entry.exited.then(async () => {
      if (entry.killedByUs || this.stopped || this.running.get(kind) !== entry) return;
      this.options.log(`${kind} exited by itself; starting it again`);
      await sleep(1000);
      if (!this.stopped && this.running.get(kind) === entry) this.start(kind);
    });
  }

  private startRedis(log: WriteStream): Running {
    const entry: Running = { pid: 0, exited: Promise.resolve(), ready: Promise.resolve(), killedByUs: false };
    let markExited!: () => void;
    entry.exited = new Promise<void>((done) => (markExited = done));
    entry.ready = (async () => {
      for (;;) {
        try {
          this.redis = await startRedisServer({ dir: join(this.options.stateDir, 'redis') });
          entry.pid = this.redis.pid;
          void this.redis.exited.then((exit) => {
            log.write(`redis-server exited: ${JSON.stringify(exit)}\n`);
            markExited();
          });
          if (entry.killedByUs) signal(entry.pid, 'SIGKILL');
          return;
        } catch (err) {
          log.write(`redis-server did not start: ${(err as Error).message}\n`);
          if (this.stopped || entry.killedByUs) {
            markExited();
            return;
          }
          await sleep(500);
        }
      }
    })();
    return entry;
  }

  private startBaton(kind: Exclude<ProcessKind, 'redis-server'>, log: WriteStream): Running {
    const { stateDir } = this.options;
    const args = {
      runtime: ['runtime', '--default-runtime-class', 'process', '--state-dir', stateDir, '--port', String(this.options.runtimePort), '--ingress-port', '0'],
      controller: ['up', '--no-runtime', '--no-worker', '--repo', this.options.repoDir, '--state-dir', stateDir, '--port', '0', '--interval', '1s'],
      worker: ['worker', '--state-dir', stateDir, '--redis-url', this.redisUrl, '--concurrency', '2'],
    }[kind];
    const readyLine = { runtime: /kubeconfig: /, controller: /baton is up/, worker: /taking sync jobs/ }[kind];
    // setpriv: if the harness dies, the kernel kills the baton processes too (pods are detached and stay).
    const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', process.execPath, ...batonArgv(args)], {
      cwd: root,
      env: { ...process.env, REDIS_URL: this.redisUrl, BATON_LOG_LEVEL: process.env.BATON_LOG_LEVEL ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit').then(([code, signal]) => log.write(`${kind} exited: ${signal ?? code}\n`));
    let seen = '';
    let markReady!: () => void;
    const ready = new Promise<void>((done) => (markReady = done));
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (seen !== null) {
        seen = (seen + chunk.toString('utf8')).slice(-4000);
        if (readyLine.test(seen)) markReady();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    // A process that dies before it is ready counts as ready for waiting purposes: the supervisor restarts it.
    void exited.then(() => markReady());
    return { pid: child.pid!, exited, ready, killedByUs: false };
  }

  private logFor(kind: ProcessKind): WriteStream {
    let stream = this.logs.get(kind);
    if (!stream) {
      stream = createWriteStream(this.logPath(kind), { flags: 'a' });
      this.logs.set(kind, stream);
    }
    return stream;
  }
}

/** Never signals pid 0 (our own process group) or a pid not yet known. */
function signal(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, sig);
  } catch {}
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
