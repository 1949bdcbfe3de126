import { spawn, type ChildProcess } from 'node:child_process';
import { mountSyscall } from './sandbox-setup.js';
import { privilegeSyscalls } from './sandbox-privileges.js';
import { zygoteProgram, zygoteSyscalls } from './sandbox-zygote-program.js';
import { HELPER_ENV } from './pod-env-handoff.js';
import { holdHelper, JobReports } from '../launcher/job-reports.js';

/** One sandbox the zygote is to fork (sandbox-zygote-program.ts has what each field does). */
export interface SandboxRequest {
  exitPath: string;
  cwd: string;
  /** stdout and stderr are appended to it, made owner-only (0600) when missing. */
  outputPath: string;
  /** Opened read-write as the program's stdin. @defaultValue /dev/null */
  stdinPath?: string;
  /** An open file descriptor of this process, the program's fd 3 (the zygote opens it through /proc). */
  fd3: number;
  /** The pod's network namespace. @defaultValue the host's network */
  netnsPath?: string;
  /** sandbox-setup.ts's program: it ends by exec'ing the program. */
  setup: string;
  /** The set-up program's @ARGV: work dir, hostname, the program's argv. */
  args: string[];
}

export interface ZygoteStarted {
  /** The wrapper's pid, known once forked: it may not yet lead its own process group. */
  pid: number;
  /** Its start time in clock ticks since boot (/proc/<pid>/stat), '' when the zygote could not read it. */
  startTime: string;
  /** Its exit status once it ends, 255 when the zygote is lost first. */
  exited: Promise<number>;
}

/**
 * The runtime's end of the sandbox zygote: started on first use and again
 * after it is lost; ends when the runtime's end of its stdin closes. The
 * sandboxes it forked outlive it, as the launcher's do.
 */
export class SandboxZygote {
  private child: ChildProcess | undefined;
  private next = 0;
  private readonly reports = new JobReports();
  /** Starts waiting for their fork: they keep node alive, a sandbox's end alone does not. */
  private holds = 0;

  /** Forks the sandbox; resolves with the wrapper's pid, rejects when it could not be forked. */
  async start(request: SandboxRequest): Promise<ZygoteStarted> {
    const child = this.ensure();
    const id = this.next++;
    let onPid: (forked: { pid: number; startTime: string }) => void = () => undefined;
    const forked = new Promise<{ pid: number; startTime: string }>((resolve) => (onPid = resolve));
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    this.reports.expect(id, { pid: (pid, [startTime]) => onPid({ pid, startTime: startTime ?? '' }), exit: onExit });
    const fields = [
      request.exitPath,
      request.cwd,
      request.outputPath,
      request.stdinPath ?? '',
      `/proc/${process.pid}/fd/${request.fd3}`,
      request.netnsPath ?? '',
      request.setup,
      ...request.args,
    ];
    const parts = [`${id} ${fields.length}\n`];
    for (const field of fields) parts.push(`${Buffer.byteLength(field)}\n`, field);
    child.stdin!.write(parts.join(''));
    this.hold(1);
    const first = await Promise.race([forked, exited.then((code) => ({ code }))]).finally(() => this.hold(-1));
    if ('code' in first) throw new Error(`the sandbox zygote could not fork it (exit ${first.code})`);
    return { ...first, exited };
  }

  /** Ends the zygote once it has read what it was sent (the sandboxes it forked go on); resolves when it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    await gone;
  }

  /** +1 while a start waits for its fork (node stays alive), -1 when it has it. */
  private hold(delta: number): void {
    this.holds += delta;
    if (this.child) holdHelper(this.child, this.holds > 0);
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const nr = zygoteSyscalls();
    const sysMount = mountSyscall();
    const privileges = privilegeSyscalls();
    if (!nr || sysMount === undefined || !privileges) throw new Error(`the process runtime knows no system call numbers for ${process.arch}`);
    const child = spawn('/usr/bin/perl', ['-e', zygoteProgram(nr, sysMount, privileges)], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: HELPER_ENV,
      // Its own process group: a Ctrl-C at the terminal must not take it away from the runtime's cleanup.
      detached: true,
    });
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.reports.receive(chunk));
    child.stdin!.on('error', () => undefined);
    const lost = () => {
      if (this.child !== child) return;
      this.child = undefined;
      this.reports.lose();
    };
    child.once('exit', lost);
    // No perl, or no process to be had: the starts fail, the runtime goes on.
    child.once('error', lost);
    holdHelper(child, this.holds > 0, true);
    return child;
  }
}

let shared: SandboxZygote | undefined;

/** The process-wide zygote. */
export function sandboxZygote(): SandboxZygote {
  return (shared ??= new SandboxZygote());
}
