import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

interface Pending {
  pid?: (pid: number) => void;
  exit: (code: number) => void;
}

/** A shell word that the shell reads back as exactly `s`. */
function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts host programs through one long-lived `/bin/sh` instead of forking
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
  private child: ChildProcess | undefined;
  private dir = '';
  private buffered = '';
  private next = 0;
  private readonly pending = new Map<number, Pending>();
  /** Calls waiting on the shell: they keep node alive, a started program's exit alone does not. */
  private waiting = 0;

  private running = 0;
  private readonly queue: Array<() => void> = [];

  /**
   * @param env the environment of every program it starts; absent, the runtime's own, with its `PATH` of the moment.
   * @param limit programs starting or running at once; more wait their turn. Without it a burst (stopping 200 pods)
   *   runs hundreds of `ip`, `umount` and `runc` at once on 2 cores, until they time out. @defaultValue 8
   */
  constructor(
    private readonly env?: Record<string, string>,
    private readonly limit = 8,
  ) {}

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
  run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.inSlot(() => this.runNow(file, args, options));
  }

  /** `work` once a slot is free, the slot given back when it settles; waiting for the slot keeps node alive. */
  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    this.hold(1);
    const release = await this.slot().finally(() => this.hold(-1));
    try {
      return await work();
    } finally {
      release();
    }
  }

  private async runNow(file: string, args: string[], options: RunOptions): Promise<RunResult> {
    const id = this.next++;
    const shell = this.shell();
    const base = join(this.dir, String(id));
    if (options.input !== undefined) writeFileSync(`${base}.in`, options.input, { mode: 0o600 });
    const stdin = options.input === undefined ? '/dev/null' : `${base}.in`;
    const command = `${this.pathPrefix()}${[file, ...args].map(quote).join(' ')} <${quote(stdin)} >${quote(`${base}.out`)} 2>${quote(`${base}.err`)}`;
    let pid: number | undefined;
    let timedOut = false;
    this.hold(1);
    const code = await new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        if (pid !== undefined) killQuietly(pid);
      }, options.timeoutMs ?? 30_000);
      this.pending.set(id, {
        pid: (p) => {
          pid = p;
          if (timedOut) killQuietly(p);
        },
        exit: (status) => {
          clearTimeout(timer);
          resolve(status);
        },
      });
      this.send(shell, id, command);
    }).finally(() => this.hold(-1));
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

  /** Starts a long-running program in its own session, stdin /dev/null unless given, its output appended to a file; resolves at its fork. */
  start(file: string, args: string[], options: StartOptions): Promise<Started> {
    return this.inSlot(() => this.startNow(file, args, options));
  }

  private async startNow(file: string, args: string[], options: StartOptions): Promise<Started> {
    const id = this.next++;
    const shell = this.shell();
    closeSync(openSync(options.outputPath, 'a', 0o600));
    const stdin = options.stdinPath === undefined ? '</dev/null' : `<>${quote(options.stdinPath)}`;
    const command = `cd ${quote(options.cwd)} && ${this.pathPrefix()}exec setsid ${[file, ...args].map(quote).join(' ')} ${stdin} >>${quote(options.outputPath)} 2>&1`;
    let onPid: (pid: number) => void = () => undefined;
    const pid = new Promise<number>((resolve) => (onPid = resolve));
    const exited = new Promise<number>((resolve) => {
      this.pending.set(id, { pid: onPid, exit: resolve });
    });
    // `( … )` so the cd and exec stay in the job: its pid is the program's. fd 3 is opened by the job before it forks
    // the program, so it is open by the time the pid is reported and the caller may close its own.
    const fd3 = options.fd3 === undefined ? undefined : `/proc/${process.pid}/fd/${options.fd3}`;
    this.send(shell, id, `(${command})`, fd3);
    this.hold(1);
    const first = await Promise.race([pid, exited.then((code) => ({ code }))]).finally(() => this.hold(-1));
    if (typeof first !== 'number') throw new Error(`${file} did not start (exit ${first.code}): see ${options.outputPath}`);
    return { pid: first, exited };
  }

  private hold(delta: number): void {
    this.waiting += delta;
    const stdout = this.child?.stdout as unknown as { ref?: () => void; unref?: () => void } | undefined;
    if (this.waiting > 0) stdout?.ref?.();
    else stdout?.unref?.();
  }

  private pathPrefix(): string {
    // The runtime's PATH of the moment, as a spawn from node would search it.
    return this.env ? '' : `PATH=${quote(process.env.PATH ?? '')} `;
  }

  /** Runs `command` as a job that reports its pid and exit status; `fd3`: a path the job opens as fd 3 (exit status 126 when it cannot). */
  private send(shell: ChildProcess, id: number, command: string, fd3?: string): void {
    const job =
      fd3 === undefined
        ? `{ ${command} & echo "p ${id} $!"; wait $!; echo "x ${id} $?"; }`
        : // Opened before the command is forked, closed in the job once the command has its own copy.
          `{ { ${command} & echo "p ${id} $!"; exec 3<&-; wait $!; echo "x ${id} $?"; } 3<${quote(fd3)} || echo "x ${id} 126"; }`;
    // `jobs` makes the shell reap finished jobs: a non-interactive dash keeps them as zombies otherwise.
    shell.stdin!.write(`${job} & jobs >/dev/null\n`);
  }

  private shell(): ChildProcess {
    if (this.child) return this.child;
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    if (!swept.has(base)) {
      swept.add(base);
      removeOrphanedDirs(base);
    }
    this.dir = mkdtempSync(join(base, 'baton-launcher-'));
    // `-s`: commands come on stdin, the directory is $1 (and names the shell in `ps`).
    const child = spawn('/bin/sh', ['-s', this.dir], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: this.env ?? process.env,
      // Its own process group: a Ctrl-C at the terminal must not take it away from the runtime's cleanup.
      detached: true,
    });
    this.child = child;
    child.stdin!.write('trap \'rm -rf "$1"\' EXIT\n');
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.receive(chunk));
    child.stdin!.on('error', () => undefined);
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      // Whatever was in flight is lost with the shell: its callers see a failure, not a hang.
      for (const [, p] of this.pending) p.exit(255);
      this.pending.clear();
      this.buffered = '';
      rmSync(this.dir, { recursive: true, force: true });
    });
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\n')) >= 0) {
      const [kind, id, value] = this.buffered.slice(0, end).split(' ');
      this.buffered = this.buffered.slice(end + 1);
      const p = this.pending.get(Number(id));
      if (!p) continue;
      if (kind === 'p') p.pid?.(Number(value));
      else if (kind === 'x') {
        this.pending.delete(Number(id));
        p.exit(Number(value));
      }
    }
  }
}

const swept = new Set<string>();

/**
 * Removes the directories of launcher shells that are gone: a shell ended by a signal skips its EXIT trap, and its
 * directory may still hold a pending environment hand-off (Secrets). A directory younger than a minute is left alone:
 * another runtime may have made it and not yet started its shell.
 */
function removeOrphanedDirs(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((name) => name.startsWith('baton-launcher-'));
  } catch {
    return;
  }
  if (names.length === 0) return;
  const live = new Set<string>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const [file, flag, dir] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (file === '/bin/sh' && flag === '-s' && dir) live.add(dir);
    } catch {
      // Ended meanwhile.
    }
  }
  const oldest = Date.now() - 60_000;
  for (const name of names) {
    const dir = join(base, name);
    if (live.has(dir)) continue;
    try {
      if (statSync(dir).mtimeMs < oldest) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed meanwhile.
    }
  }
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
