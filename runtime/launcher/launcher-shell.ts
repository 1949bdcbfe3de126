import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdHelper, JobReports, type JobListener } from './job-reports.js';

/** A shell word that the shell reads back as exactly `s`. */
export function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * One long-lived `/bin/sh -s <dir>` that runs each command it is sent as a
 * background job reporting `p <id> <pid>` and `x <id> <status>` on its
 * stdout. Started on first use and again after it is lost; ends when the
 * runtime's end of its stdin closes, removing its directory.
 */
export class LauncherShell {
  private child: ChildProcess | undefined;
  private directory = '';
  private next = 0;
  private readonly reports = new JobReports();
  /** Calls waiting on the shell: they keep node alive, a started program's exit alone does not. */
  private waiting = 0;

  constructor(private readonly env?: Record<string, string>) {}

  /** Jobs sent and not yet ended: how busy this shell is. */
  get jobs(): number {
    return this.reports.size;
  }

  /** A fresh id and the private directory (mode 0700, under /dev/shm) for its files; starts the shell if needed. */
  allocate(): { id: number; dir: string } {
    this.ensure();
    return { id: this.next++, dir: this.directory };
  }

  /** Runs `command` as a job that reports its pid and exit status; `fd3`: a path the job opens as fd 3 (exit status 126 when it cannot). */
  send(id: number, command: string, listener: JobListener, fd3?: string): void {
    const child = this.ensure();
    this.reports.expect(id, listener);
    const job =
      fd3 === undefined
        ? `{ ${command} & echo "p ${id} $!"; wait $!; echo "x ${id} $?"; }`
        : // Opened before the command is forked, closed in the job once the command has its own copy.
          `{ { ${command} & echo "p ${id} $!"; exec 3<&-; wait $!; echo "x ${id} $?"; } 3<${quote(fd3)} || echo "x ${id} 126"; }`;
    // `jobs` makes the shell reap finished jobs: a non-interactive dash keeps them as zombies otherwise.
    child.stdin!.write(`${job} & jobs >/dev/null\n`);
  }

  /** +1 while a caller waits on this shell (node stays alive), -1 when it is done. */
  hold(delta: number): void {
    this.waiting += delta;
    if (this.child) holdHelper(this.child, this.waiting > 0);
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    // At each shell's start, not once per process: shells start seldom, and a runtime that lives for weeks
    // would otherwise keep what a shell killed meanwhile (by the OOM killer, say) left behind.
    removeOrphanedDirs(base);
    const dir = mkdtempSync(join(base, 'baton-launcher-'));
    this.directory = dir;
    // `-s`: commands come on stdin, the directory is $1 (and names the shell in `ps`).
    const child = spawn('/bin/sh', ['-s', dir], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: this.env ?? process.env,
      // Its own process group: a Ctrl-C at the terminal must not take it away from the runtime's cleanup.
      detached: true,
    });
    this.child = child;
    child.stdin!.write('trap \'rm -rf "$1"\' EXIT\n');
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.reports.receive(chunk));
    child.stdin!.on('error', () => undefined);
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      rmSync(dir, { recursive: true, force: true });
      this.reports.lose();
    });
    holdHelper(child, this.waiting > 0, true);
    return child;
  }
}

/** The directories of the launcher shells alive on this machine, any runtime's (`/bin/sh -s <dir>`). */
export function liveLauncherDirs(): Set<string> {
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
  return live;
}

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
  const live = liveLauncherDirs();
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
