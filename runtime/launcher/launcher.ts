import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { busyboxApplet } from './busybox-applet.js';
import { LauncherShell, quote } from './launcher-shell.js';

export interface RunOptions {
  /** Written to the program's stdin; without it stdin is /dev/null. */
  input?: string;
  /** SIGKILL after this long. @defaultValue 30,000 ms */
  timeoutMs?: number;
}

export interface RunResult {
  /** The exit status; 128 + n when signal n ended it, 127 when it was not found. */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface StartOptions {
  /** Working directory of the program. */
  cwd: string;
  /** stdout and stderr are appended to this file, made owner-only (0600) when missing. */
  outputPath: string;
  /** Opened read-write as the program's stdin: a FIFO opened so never blocks, nor reads end-of-file. @defaultValue /dev/null */
  stdinPath?: string;
  /**
   * An open file descriptor of this process, given to the program as its fd 3 (the shell opens it through
   * `/proc/<pid>/fd/<n>`): hand over an already unlinked file and its content never has a name while the program
   * runs (a hand-off of secrets). The caller closes it once `start` settles. @defaultValue none
   */
  fd3?: number;
}

export interface Started {
  /**
   * The program's pid, known as soon as the shell has forked it: it may not yet have run `setsid` (which makes it
   * leader of its own process group) nor exec'd the program. `start` does not wait for either: on a loaded machine
   * they take up to a second, and the caller would hold its work (a kubelet worker) all that time.
   */
  pid: number;
  /** Its exit status once it ends (while the launcher lives). */
  exited: Promise<number>;
}

/**
 * Starts host programs through a few long-lived `/bin/sh` instead of forking
 * the runtime: libuv forks the whole node process for every spawn and blocks
 * the event loop until the child has exec'd, which on a busy machine is tens
 * of milliseconds per `ip`, `mount` or `runc`. The shell forks a small
 * process instead and never waits for an exec, so a burst of pods starts
 * its programs in parallel while the runtime keeps serving.
 *
 * Each command runs as a background job of the shell that reports its pid
 * and exit status as a line on the shell's stdout; output goes through files
 * in a private directory that the shell removes when it ends.
 */
export class Launcher {
  private readonly pool: LauncherShell[];
  private running = 0;
  private readonly queue: Array<() => void> = [];

  /**
   * @param env the environment of every program it starts; absent, the runtime's own, with its `PATH` of the moment.
   * @param limit `run`s starting or running at once; more wait their turn. Without it a burst (stopping 200 pods)
   *   runs hundreds of `ip`, `umount` and `runc` at once on 2 cores, until they time out. @defaultValue 8
   * @param shells how many shells share the commands. One shell reads and forks its commands in turn: in a burst of
   *   starts each waited hundreds of milliseconds for it to report the fork; a few in parallel use the cores.
   *   @defaultValue {@link defaultShells}
   */
  constructor(
    private readonly env?: Record<string, string>,
    private readonly limit = 8,
    shells = defaultShells(),
  ) {
    this.pool = Array.from({ length: Math.max(1, shells) }, () => new LauncherShell(env));
  }

  /** The shell with the fewest jobs in flight (a started program's counts while it runs). */
  private shell(): LauncherShell {
    let best = this.pool[0];
    for (const s of this.pool) if (s.jobs < best.jobs) best = s;
    return best;
  }

  /** Resolves when a slot is free; the caller must call the returned release exactly once. */
  private async slot(): Promise<() => void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.queue.shift()?.();
    };
  }

  /** Runs a program to its end, as execFile does, but never rejects: callers judge the exit status. */
  async run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    // Waiting for a slot needs no hold of its own: there is only a wait while other runs hold their shells.
    const release = await this.slot();
    try {
      return await this.runNow(file, args, options);
    } finally {
      release();
    }
  }

  private async runNow(file: string, args: string[], options: RunOptions): Promise<RunResult> {
    const shell = this.shell();
    const { id, dir } = shell.allocate();
    const base = join(dir, String(id));
    if (options.input !== undefined) writeFileSync(`${base}.in`, options.input, { mode: 0o600 });
    const stdin = options.input === undefined ? '/dev/null' : `${base}.in`;
    const command = `${this.pathPrefix()}${[file, ...args].map(quote).join(' ')} <${quote(stdin)} >${quote(`${base}.out`)} 2>${quote(`${base}.err`)}`;
    let pid: number | undefined;
    let timedOut = false;
    shell.hold(1);
    const code = await new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        if (pid !== undefined) killQuietly(pid);
      }, options.timeoutMs ?? 30_000);
      shell.send(id, command, {
        pid: (p) => {
          pid = p;
          if (timedOut) killQuietly(p);
        },
        exit: (status) => {
          clearTimeout(timer);
          resolve(status);
        },
      });
    }).finally(() => shell.hold(-1));
    const read = (path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    const result = { code, stdout: read(`${base}.out`), stderr: read(`${base}.err`), timedOut };
    for (const suffix of ['in', 'out', 'err']) rmSync(`${base}.${suffix}`, { force: true });
    return result;
  }

  /**
   * Starts a long-running program in its own session, stdin /dev/null unless given, its output appended to a file;
   * resolves at its fork. Not held to `limit`, which is for programs that work while they run (`ip`, `mount`): a start
   * costs its shell a fork and is over, and kubelet workers queued behind those for a slot.
   */
  async start(file: string, args: string[], options: StartOptions): Promise<Started> {
    const shell = this.shell();
    const { id } = shell.allocate();
    closeSync(openSync(options.outputPath, 'a', 0o600));
    const stdin = options.stdinPath === undefined ? '</dev/null' : `<>${quote(options.stdinPath)}`;
    const command = `cd ${quote(options.cwd)} && ${this.pathPrefix()}exec ${setsid(file).map(quote).join(' ')} ${[file, ...args].map(quote).join(' ')} ${stdin} >>${quote(options.outputPath)} 2>&1`;
    let onPid: (pid: number) => void = () => undefined;
    const pid = new Promise<number>((resolve) => (onPid = resolve));
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    // `( … )` so the cd and exec stay in the job: its pid is the program's. fd 3 is opened by the job before it forks
    // the program, so it is open by the time the pid is reported and the caller may close its own.
    const fd3 = options.fd3 === undefined ? undefined : `/proc/${process.pid}/fd/${options.fd3}`;
    shell.hold(1);
    shell.send(id, `(${command})`, { pid: onPid, exit: onExit }, fd3);
    const first = await Promise.race([pid, exited.then((code) => ({ code }))]).finally(() => shell.hold(-1));
    if (typeof first !== 'number') throw new Error(`${file} did not start (exit ${first.code}): see ${options.outputPath}`);
    return { pid: first, exited };
  }

  private pathPrefix(): string {
    // The runtime's PATH of the moment, as a spawn from node would search it.
    return this.env ? '' : `PATH=${quote(process.env.PATH ?? '')} `;
  }
}

/**
 * What starts `file` in its own session: busybox's setsid where there is one (static, a start costs ~1 ms of CPU
 * less than with util-linux's on this VM: perf stat -r 200, 5 rounds), else util-linux's. Both call setsid(2), forking
 * first only when already a group leader (a job of the launcher's shell never is), and exec the program. A bare name
 * goes to util-linux's: busybox would run its own applet of that name rather than search PATH.
 */
function setsid(file: string): string[] {
  return (file.includes('/') && busyboxApplet('setsid', ['true'])) || ['setsid'];
}

/**
 * Shells per launcher: two per core, at most 4 (on 2 cores, 300 starts at once: p50 from start to fork 2.1–4.3 s with
 * 4 shells, 3.0–4.1 s with 2, 5.0–9.2 s with one; bench/launcher-starts.ts).
 */
export function defaultShells(): number {
  return Math.min(4, 2 * availableParallelism());
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Ended meanwhile.
  }
}

const shared = new Map<string, Launcher>();

/** The process-wide launcher for `env` (the runtime's own environment when absent). */
export function launcher(env?: Record<string, string>): Launcher {
  const key = env ? JSON.stringify(env) : '';
  let found = shared.get(key);
  if (!found) shared.set(key, (found = new Launcher(env)));
  return found;
}
