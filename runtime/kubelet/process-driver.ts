import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DriverError } from './pod-driver.js';
import type { ContainerHandle, ContainerLaunch, ExecResult, PodDriver } from './pod-driver.js';
import { isSameLiveProcess, readProcStat, rssByProcessGroup } from './proc-stat.js';

/**
 * The container's process is `sh` running these lines without exec: it stays
 * as the process-group leader so it can record the exit code even for an
 * adopted container, and it waits out TERM until the command ends (a trap
 * handler, unlike an ignored signal, is not inherited by the command).
 */
const PROLOGUE = [
  // The trap comes first so that a SIGTERM arriving during set-up still lets the exit code be recorded.
  'trap : TERM INT HUP',
  'exit_file=$1; work_dir=$2; shift 2',
  'fail() { echo "baton: $1" >&2; echo 128 > "$exit_file"; exit 128; }',
].join('\n');

const RUN = [
  'if [ -n "$work_dir" ]; then cd "$work_dir" || fail "cannot enter workingDir $work_dir"; fi',
  '"$@"',
  'code=$?',
  'echo $code > "$exit_file"',
  'exit $code',
].join('\n');

/** `$0` of every container wrapper: how a restarted kubelet finds containers it never recorded. */
const WRAPPER_NAME = 'baton-container';

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Bind-mounts each volume at its mountPath; failures end the container with a message in its log. */
function mountScript(launch: ContainerLaunch): string {
  const lines: string[] = [];
  for (const m of launch.mounts) {
    const target = quote(m.target);
    const why = quote(`cannot mount volume at ${m.target}`);
    lines.push(`{ if [ -d ${quote(m.source)} ]; then mkdir -p ${target}; else mkdir -p "$(dirname ${target})" && { [ -e ${target} ] || touch ${target}; }; fi; } || fail ${why}`);
    lines.push(`mount --bind ${quote(m.source)} ${target} || fail ${why}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${target} || fail ${why}`);
  }
  return lines.join('\n');
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

/** Inherited so that `node`, `sh` and friends resolve as on the host. */
function hostBaseEnv(): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  if (process.env.HOME) base.HOME = process.env.HOME;
  if (process.env.LANG) base.LANG = process.env.LANG;
  return base;
}

/** Runs each container as a detached host process group with its output in a file, so pods outlive the runtime. */
export function createProcessDriver(): PodDriver {
  const exitListeners: Array<(handle: ContainerHandle) => void> = [];

  return {
    name: 'process',

    async start(launch) {
      if (launch.argv.length === 0) {
        throw new DriverError('CreateContainerConfigError', 'process driver runs `command`; this container has none');
      }
      const namespaced = launch.mounts.length > 0;
      if (namespaced) {
        const support = mountNamespaceSupport();
        if (support !== true) {
          throw new DriverError('CreateContainerError', `volumes need a private mount namespace (unshare --mount), which is not permitted here: ${support}`);
        }
      }
      mkdirSync(dirname(launch.logPath), { recursive: true });
      rmSync(launch.exitPath, { force: true });
      const script = [PROLOGUE, ...(namespaced ? [mountScript(launch)] : []), RUN].join('\n');
      const shArgs = ['-c', script, WRAPPER_NAME, launch.exitPath, launch.workingDir, ...launch.argv];
      const [file, args] = namespaced
        ? ['unshare', ['--mount', '--propagation', 'private', 'sh', ...shArgs]]
        : ['sh', shArgs];
      const out = openSync(launch.logPath, 'a');
      try {
        const child = spawn(file, args, {
          detached: true,
          stdio: ['ignore', out, out],
          env: { ...hostBaseEnv(), ...launch.env },
          cwd: dirname(launch.logPath),
        });
        const pid = await new Promise<number>((resolve, reject) => {
          child.once('spawn', () => resolve(child.pid!));
          child.once('error', (err) => reject(new DriverError('StartError', `cannot start ${file}: ${err.message}`)));
        });
        const stat = readProcStat(pid);
        const handle: ContainerHandle = {
          pid,
          procStart: stat?.startTime ?? '',
          startedAt: new Date().toISOString(),
          exitPath: launch.exitPath,
          mountNamespace: namespaced,
        };
        child.once('exit', () => exitListeners.forEach((l) => l(handle)));
        child.unref();
        return handle;
      } finally {
        closeSync(out);
      }
    },

    isAlive(handle) {
      return isSameLiveProcess(handle.pid, handle.procStart);
    },

    signal(handle, signal) {
      if (!isSameLiveProcess(handle.pid, handle.procStart)) return;
      try {
        process.kill(-handle.pid, signal);
      } catch {
        // Gone between the check and the kill.
      }
    },

    exitCode(handle) {
      try {
        const code = Number.parseInt(readFileSync(handle.exitPath, 'utf8').trim(), 10);
        return Number.isNaN(code) ? undefined : code;
      } catch {
        return undefined;
      }
    },

    exec(handle, launch, argv, timeoutMs) {
      const [file, args] = handle.mountNamespace
        ? ['nsenter', ['--target', String(handle.pid), '--mount', '--', ...argv]]
        : [argv[0], argv.slice(1)];
      return new Promise<ExecResult>((resolve) => {
        execFile(
          file,
          args,
          { env: { ...hostBaseEnv(), ...launch.env }, cwd: launch.workingDir || undefined, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
          (err, stdout, stderr) => {
            const output = `${stdout}${stderr}`;
            if (!err) return resolve({ exitCode: 0, output });
            const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
            if (e.killed) return resolve({ exitCode: -1, output: `command timed out after ${timeoutMs}ms` });
            resolve({ exitCode: typeof e.code === 'number' ? e.code : 126, output: output || e.message });
          },
        );
      });
    },

    memoryUsage(handle, sample) {
      if (!isSameLiveProcess(handle.pid, handle.procStart)) return 0;
      return (sample ?? rssByProcessGroup()).get(handle.pid) ?? 0;
    },

    onExit(listener) {
      exitListeners.push(listener);
    },

    sweepUnknown(podsDir, known) {
      const keep = new Set(known.map((h) => `${h.pid}:${h.procStart}`));
      let killed = 0;
      for (const { pid, exitPath } of containerWrappers()) {
        if (!exitPath.startsWith(`${podsDir}/`)) continue;
        const stat = readProcStat(pid);
        if (!stat || stat.state === 'Z' || keep.has(`${pid}:${stat.startTime}`)) continue;
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

/** Live container wrappers on this machine (`sh -c … baton-container <exitPath> …`), with the exit file each names. */
function containerWrappers(): Array<{ pid: number; exitPath: string }> {
  const found: Array<{ pid: number; exitPath: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv[0] === 'sh' && argv[1] === '-c' && argv[3] === WRAPPER_NAME && argv[4]) found.push({ pid: Number(entry), exitPath: argv[4] });
  }
  return found;
}
