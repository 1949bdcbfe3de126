import { spawn, spawnSync } from 'node:child_process';
import { constants, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DriverError, recordedExitCode } from './pod-driver.js';
import type { ContainerHandle, ExecResult, PodDriver } from './pod-driver.js';
import { chargedMemoryBytes, isSameLiveProcess, readProcStat, rssByProcessGroup } from './proc-stat.js';
import { childrenOf, NOBODY, sandboxInitPid, sandboxProgram, setprivArgs, titleOf } from './process-sandbox.js';
import { closeQuietly, ENV_SHIM_ARGV, environmentFd, HELPER_ENV } from './pod-env-handoff.js';
import { launcher } from '../launcher/index.js';
import { sandboxZygote } from './sandbox-zygote.js';
import { INIT_TITLE, WRAPPER_TITLE } from './sandbox-zygote-program.js';
import { execProcessOf } from './exec-process.js';
import { hostAccountOf } from './host-accounts.js';
import { spawnOnTerminal } from './tty-exec.js';

/**
 * A fresh FIFO, opened read-write: the container opens it the same way as its
 * stdin and, being a writer itself, never reads end-of-file when an attached
 * client goes (Kubernetes' stdin without stdinOnce).
 */
async function openStdinFifo(path: string): Promise<number> {
  rmSync(path, { force: true });
  const made = await launcher().run('mkfifo', ['-m', '0600', path]);
  if (made.code !== 0) throw new DriverError('CreateContainerError', `cannot make the stdin pipe ${path}: ${made.stderr.trim()}`);
  return openSync(path, constants.O_RDWR);
}

let mountNamespacesChecked: string | true | undefined;

/** Whether `unshare --mount` works here; the failure text otherwise. */
export function mountNamespaceSupport(): string | true {
  if (mountNamespacesChecked === undefined) {
    const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8', timeout: 5000 });
    mountNamespacesChecked = probe.status === 0 ? true : (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim();
  }
  return mountNamespacesChecked;
}

/**
 * nsenter's arguments to run `argv` beside the container: in every namespace
 * of the sandbox's pid 1 (the network one too, which is the pod's own when it
 * is on the pod network), as the pod's user.
 */
function enterSandboxArgs(init: number, handle: ContainerHandle, workingDir: string, argv: string[]): string[] {
  const user = handle.user ?? { uid: NOBODY, gid: NOBODY, groups: [] };
  return ['--target', String(init), '--mount', '--pid', '--ipc', '--uts', '--net', `--wd=${workingDir || '/tmp'}`, '--', ...setprivArgs(user), ...ENV_SHIM_ARGV, ...argv];
}

/** Inherited so that `node`, `sh` and friends resolve as on the host. */
function hostBaseEnv(): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  if (process.env.HOME) base.HOME = process.env.HOME;
  if (process.env.LANG) base.LANG = process.env.LANG;
  return base;
}

export interface ProcessDriverOptions {
  /**
   * Directories no pod may see (baton's state dir: tokens, kubeconfig, store, Redis socket, other pods' files).
   * @defaultValue []
   */
  hiddenPaths?: string[];
  /**
   * Let pods run as root or as a host account (the runtime's `--allow-privileged`).
   * @defaultValue false
   */
  allowPrivileged?: boolean;
}

/**
 * Runs each container as a detached host process group with its output in a
 * file, so pods outlive the runtime; the program itself runs sandboxed: its
 * own pid, mount, ipc and uts namespaces, the pod's network namespace when the
 * kubelet gives it one (else the host's network), the host's root read-only,
 * baton's state hidden, as `nobody` unless its securityContext says otherwise.
 */
export function createProcessDriver(options: ProcessDriverOptions = {}): PodDriver {
  const exitListeners: Array<(handle: ContainerHandle) => void> = [];
  /** `pid:procStart` of the containers started here whose exit the launcher is still to report. */
  const waitedFor = new Set<string>();
  /** Signals waiting for a just-started container to lead its process group. */
  const delivering = new Set<Promise<void>>();

  return {
    name: 'process',

    async start(launch) {
      if (launch.argv.length === 0) {
        throw new DriverError('CreateContainerConfigError', 'process driver runs `command` (or `args`, as an image without ENTRYPOINT would); this container has neither');
      }
      const support = mountNamespaceSupport();
      if (support !== true) {
        throw new DriverError('CreateContainerError', `the process runtime runs each pod in its own namespaces (unshare), which is not permitted here: ${support}`);
      }
      const user = launch.user ?? { uid: NOBODY, gid: NOBODY, groups: [] };
      // They become numbers in the sandbox's set-up program; 4294967295 is (uid_t)-1, "leave unchanged", to the kernel.
      if (![user.uid, user.gid, ...user.groups].every((id) => Number.isInteger(id) && id >= 0 && id < 4294967295)) {
        throw new DriverError('CreateContainerConfigError', `runAsUser, runAsGroup, supplementalGroups and fsGroup must be integers from 0 to 4294967294: ${JSON.stringify(user)}`);
      }
      if (user.uid === 0 && !options.allowPrivileged) {
        throw new DriverError('CreateContainerConfigError', 'a process pod does not run as root (runAsUser: 0) unless the runtime is started with --allow-privileged: root on the host\'s filesystem reaches everything');
      }
      const account = options.allowPrivileged ? undefined : hostAccountOf(user);
      if (account !== undefined) {
        throw new DriverError(
          'CreateContainerConfigError',
          `a process pod does not run as the host's ${account} unless the runtime is started with --allow-privileged: it would read and reach what that account may on the host; use an id no host account has`,
        );
      }
      const badMount = launch.mounts.find((m) => !m.target.startsWith('/') || m.target.split('/').includes('..'));
      if (badMount) throw new DriverError('CreateContainerConfigError', `mountPath ${JSON.stringify(badMount.target)} must be an absolute path without '..'`);
      // The container's working directory: the pod's user may search it (0711), no one else may list it.
      mkdirSync(dirname(launch.logPath), { recursive: true, mode: 0o711 });
      rmSync(launch.exitPath, { force: true });
      // The pod's /tmp is assembled over the container's own directory, seen so only in the sandbox's mount namespace
      // and only until it moves to /tmp: no directory of its own to make per start (a new inode is dear in a burst).
      const setup = sandboxProgram({ binds: launch.mounts, etcFiles: launch.podNetwork?.etcFiles, hidden: options.hiddenPaths ?? [], user, stage: dirname(launch.logPath) });
      // Node keeps a reader of the FIFO until the container has surely opened its own: an attach right after start must find one.
      const stdinFd = launch.stdinPath ? await openStdinFifo(launch.stdinPath) : undefined;
      // Unlinked before the zygote opens it (through /proc): the environment never has a name while the program runs.
      const envFd = environmentFd(dirname(launch.logPath), { ...hostBaseEnv(), ...launch.env });
      const cleanUp = () => {
        if (stdinFd !== undefined) closeQuietly(stdinFd);
      };
      let started;
      try {
        // Forked by the zygote, not by node: a fork of the runtime blocks its event loop until the exec.
        // Its own session leads the container's process group; owner-only output, a pod's may hold secrets.
        started = await sandboxZygote().start({
          exitPath: launch.exitPath,
          cwd: dirname(launch.logPath),
          outputPath: launch.logPath,
          stdinPath: launch.stdinPath,
          fd3: envFd,
          netnsPath: launch.podNetwork?.netnsPath,
          setup,
          args: [launch.workingDir, launch.hostname ?? '', ...launch.argv],
        });
      } catch (err) {
        cleanUp();
        throw new DriverError('StartError', `cannot start the sandbox: ${(err as Error).message}`);
      } finally {
        closeQuietly(envFd);
      }
      const handle: ContainerHandle = {
        pid: started.pid,
        procStart: started.startTime,
        startedAt: new Date().toISOString(),
        exitPath: launch.exitPath,
        mountNamespace: true,
        user,
      };
      const waited = `${handle.pid}:${handle.procStart}`;
      waitedFor.add(waited);
      void started.exited.then(() => {
        waitedFor.delete(waited);
        cleanUp();
        exitListeners.forEach((l) => l(handle));
      });
      return handle;
    },

    reportsExit: (handle) => waitedFor.has(`${handle.pid}:${handle.procStart}`),

    isAlive(handle) {
      // Started here and its exit not yet reported by the launcher: alive, with no read of /proc (syncs ask several times each).
      return waitedFor.has(`${handle.pid}:${handle.procStart}`) || isSameLiveProcess(handle.pid, handle.procStart);
    },

    signal(handle, signal) {
      if (!isSameLiveProcess(handle.pid, handle.procStart)) return;
      if (signalGroup(handle.pid, signal)) return;
      // Forked moments ago (the launcher does not wait for it): the group it leads once past setsid gets the signal.
      const sent = signalOnceLeading(handle, signal).finally(() => delivering.delete(sent));
      delivering.add(sent);
    },

    async settle() {
      await Promise.all(delivering);
    },

    exitCode(handle) {
      return recordedExitCode(handle.exitPath);
    },

    async exec(handle, launch, argv, timeoutMs) {
      // Inside the sandbox, as the pod's user: a probe sees what the program sees.
      // Right after start the sandbox's pid 1 may not exist yet: give it a moment.
      let init = sandboxInitPid(handle.pid);
      for (let i = 0; !init && i < 40 && isSameLiveProcess(handle.pid, handle.procStart); i++) {
        await new Promise((r) => setTimeout(r, 50));
        init = sandboxInitPid(handle.pid);
      }
      if (!init) return { exitCode: -1, output: 'the container is not running' };
      const args = enterSandboxArgs(init, handle, launch.workingDir, argv);
      const envFd = environmentFd(dirname(handle.exitPath), { ...hostBaseEnv(), ...launch.env });
      return new Promise<ExecResult>((resolve) => {
        const child = spawn('/usr/bin/nsenter', args, { env: HELPER_ENV, stdio: ['ignore', 'pipe', 'pipe', envFd] });
        closeQuietly(envFd);
        let output = '';
        const collect = (d: Buffer) => {
          if (output.length < 1 << 20) output += d.toString();
        };
        child.stdout!.on('data', collect);
        child.stderr!.on('data', collect);
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.once('error', (err) => {
          clearTimeout(timer);
          resolve({ exitCode: 126, output: err.message });
        });
        child.once('close', (code) => {
          clearTimeout(timer);
          if (timedOut) resolve({ exitCode: -1, output: `command timed out after ${timeoutMs}ms` });
          else resolve({ exitCode: code ?? 137, output });
        });
      });
    },

    async execStream(handle, launch, argv, { stdin, tty }) {
      // As for exec: right after start the sandbox's pid 1 may not exist yet.
      let init = sandboxInitPid(handle.pid);
      for (let i = 0; !init && i < 40 && isSameLiveProcess(handle.pid, handle.procStart); i++) {
        await new Promise((r) => setTimeout(r, 50));
        init = sandboxInitPid(handle.pid);
      }
      if (!init || !isSameLiveProcess(handle.pid, handle.procStart)) throw new DriverError('ContainerNotRunning', 'the container is not running');
      const args = enterSandboxArgs(init, handle, launch.workingDir, argv);
      const envFd = environmentFd(dirname(handle.exitPath), { ...hostBaseEnv(), ...launch.env });
      if (tty) {
        const exec = spawnOnTerminal(['/usr/bin/nsenter', ...args], { env: HELPER_ENV, fd3: envFd });
        closeQuietly(envFd);
        return exec;
      }
      const child = spawn('/usr/bin/nsenter', args, { env: HELPER_ENV, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', envFd] });
      closeQuietly(envFd);
      return execProcessOf(child);
    },

    memoryUsage(handle, sample) {
      if (!isSameLiveProcess(handle.pid, handle.procStart)) return 0;
      const group = (sample ?? rssByProcessGroup()).get(handle.pid) ?? 0;
      // The wrapper and pid 1 are forks of the zygote: their copy-on-write pages would count as the pod's, as no
      // container runtime's shim or pause does. What the program and its children use is charged.
      const helpers = [handle.pid, ...childrenOf(handle.pid).filter((pid) => titleOf(pid) === INIT_TITLE)];
      return Math.max(0, group - helpers.reduce((sum, pid) => sum + chargedMemoryBytes(pid, 0), 0));
    },

    onExit(listener) {
      exitListeners.push(listener);
    },

    sweepUnknown(podsDir, known) {
      const keep = new Set(known.map((h) => `${h.pid}:${h.procStart}`));
      let killed = 0;
      for (const { pid, exitPath, zygote } of containerWrappers()) {
        if (!exitPath.startsWith(`${podsDir}/`)) continue;
        const stat = readProcStat(pid);
        if (!stat || stat.state === 'Z' || keep.has(`${pid}:${stat.startTime}`)) continue;
        if (zygote && stat.pgrp !== pid) continue;
        try {
          // The wrapper leads the container's process group (detached spawn): the whole group goes.
          process.kill(stat.pgrp === pid ? -pid : pid, 'SIGKILL');
          killed++;
        } catch {
          // Gone meanwhile.
        }
      }
      return killed;
    },
  };
}

/** Signals the process group `pid` leads; false when there is no such group (yet). */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals the container's group once its wrapper leads it (past setsid and the exec of the wrapper's shell, whose
 * trap records the exit code); gives up when the process is gone. Only a container signalled within moments of its
 * start waits here, for tens of milliseconds (a second in a burst of hundreds of pods).
 */
async function signalOnceLeading(handle: ContainerHandle, signal: NodeJS.Signals): Promise<void> {
  for (let wait = 1; ; wait = Math.min(wait * 2, 32)) {
    const stat = readProcStat(handle.pid);
    if (!stat || stat.state === 'Z' || stat.startTime !== handle.procStart) return;
    if (stat.pgrp === handle.pid && wrapperRuns(handle.pid)) {
      signalGroup(handle.pid, signal);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Whether `pid` runs the container wrapper (not yet the zygote itself, before the fork's child renamed itself). */
function wrapperRuns(pid: number): boolean {
  try {
    return wrapperOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8')) !== undefined;
  } catch {
    return false;
  }
}

/**
 * The exit file a container wrapper's command line names: the zygote's (`baton-container <exitPath>`, one string),
 * or an earlier version's shell chain (`sh -c … baton-container <exitPath> …`), whose containers a new runtime adopts.
 */
function wrapperOf(cmdline: string): string | undefined {
  const title = `${WRAPPER_TITLE} `;
  if (cmdline.startsWith(title)) return cmdline.slice(title.length).replace(/\0+$/, '') || undefined;
  const argv = cmdline.split('\0');
  if ((argv[0] === 'sh' || argv[0] === '/bin/sh') && argv[1] === '-c' && argv[3] === WRAPPER_TITLE && argv[4]) return argv[4];
  return undefined;
}

/** Live container wrappers on this machine, with the exit file each names. */
function containerWrappers(): Array<{ pid: number; exitPath: string; zygote: boolean }> {
  const found: Array<{ pid: number; exitPath: string; zygote: boolean }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const exitPath = wrapperOf(cmdline);
    // The zygote's wrapper leads its group once started; a process of its title that does not was forked before renaming.
    if (exitPath) found.push({ pid: Number(entry), exitPath, zygote: cmdline.startsWith(`${WRAPPER_TITLE} `) });
  }
  return found;
}
