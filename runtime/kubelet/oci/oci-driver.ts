import { spawn } from 'node:child_process';
import { launcher } from '../../launcher/index.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ImageStore } from '../../images/image-types.js';
import { ContainerConfigError } from '../container-env.js';
import { DriverError, recordedExitCode, type ContainerHandle, type ContainerLaunch, type PodDriver } from '../pod-driver.js';
import { isSameLiveProcess, readProcStat } from '../proc-stat.js';
import { oomKills, workingSetBytes } from './cgroup-files.js';
import { containerArgv, mergeImageEnv } from './container-command.js';
import { resolveUser } from './container-user.js';
import { buildOciSpec } from './oci-spec.js';
import { refuseWithoutPrivileges } from './launch-privileges.js';
import { mountRootfs, unmountRootfs } from './rootfs-mount.js';
import { runc, runcList } from './runc-cli.js';
import { readImageFile } from './image-file.js';
import { HELPER_ENV } from '../pod-env-handoff.js';
import { execProcessOf } from '../exec-process.js';
import { spawnOnTerminal } from '../tty-exec.js';
import { bundleContainerId, OCI_WRAPPER_NAME, ociWrappers, strayBundles } from './oci-leftovers.js';

export interface OciDriverOptions {
  /** runc's own state lives in `<stateDir>/runc`. */
  stateDir: string;
  images: ImageStore;
  /**
   * Run `securityContext.privileged: true` containers, containers adding
   * capabilities beyond the default set, and pods in the host's network, pid
   * or IPC namespace; refused otherwise.
   * @defaultValue false
   */
  allowPrivileged?: boolean;
}

/**
 * `runc run` stays in the foreground under this shell, so runc reaps the
 * container and hands back its exit status, and the shell records it even
 * when the runtime that started it is gone (the shell is detached, like the
 * process driver's wrapper). `--keep` leaves the cgroup for the OOM check.
 */
const WRAPPER = ['trap : TERM INT HUP', 'exit_file=$1; shift', '"$@"', 'code=$?', 'echo $code > "$exit_file"', 'exit $code'].join('\n');

/** How long a signal waits for runc to make the container before asking runc anyway. */
const STATE_WAIT_MS = 10_000;

function cgroupsPath(id: string): string {
  return `/baton/${id}`;
}

function runcLogPath(handle: ContainerHandle): string {
  return join(handle.bundle!, 'runc.log');
}

/** Depth-first order, so a volume at /data is mounted before one at /data/cache. */
function byDepth(a: { target: string }, b: { target: string }): number {
  return a.target.split('/').length - b.target.split('/').length;
}

/** Runs OCI images with runc: each container in its own pid and mount namespaces, in the pod's network, ipc and uts ones (or the host's: launch-privileges.ts). */
export function createOciDriver(options: OciDriverOptions): PodDriver {
  const root = join(options.stateDir, 'runc');
  const exitListeners: Array<(handle: ContainerHandle) => void> = [];
  mkdirSync(root, { recursive: true, mode: 0o700 });

  const startFailure = (handle: ContainerHandle): string | undefined => {
    try {
      for (const line of readFileSync(runcLogPath(handle), 'utf8').split('\n').reverse()) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        if (entry.level === 'error' && entry.msg) return entry.msg.replace(/^runc run failed: /, '');
      }
    } catch {
      // No log, or not JSON: runc never complained.
    }
    return undefined;
  };

  const kill = async (handle: ContainerHandle, signal: string): Promise<void> => {
    // A container signalled while runc is still creating it does not exist yet for a moment; one whose
    // `runc run` has ended is gone, and asking again would only make runc create its root once more.
    // runc knows a container once it has written its state file: until then each `runc kill` would only
    // answer "does not exist", at a Go program's start apiece (stopping 100 new pods ran 439 of them).
    const state = join(root, handle.containerId!, 'state.json');
    const deadline = Date.now() + STATE_WAIT_MS;
    for (let tries = 0; tries < 20 && isSameLiveProcess(handle.pid, handle.procStart); ) {
      if (existsSync(state) || Date.now() > deadline) {
        tries++;
        const result = await runc(root, ['kill', handle.containerId!, signal]);
        if (result.code === 0 || !/does not exist/.test(result.stderr)) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** Signals on their way (`runc kill`, retried while runc creates the container). */
  const signalling = new Set<Promise<void>>();

  return {
    name: 'oci',
    runsImages: true,

    async start(launch: ContainerLaunch) {
      const oci = launch.oci;
      if (!oci) throw new DriverError('CreateContainerConfigError', 'the oci runtime runs images; this container has no image');
      const { image, security } = oci;
      refuseWithoutPrivileges(oci, options.allowPrivileged === true);
      const seccomp = seccompOf(security.seccompProfile);
      let user;
      try {
        user = resolveUser(image.config.user, security, readImageFile(image.rootfs, 'etc/passwd'), readImageFile(image.rootfs, 'etc/group'), oci.who);
      } catch (err) {
        if (err instanceof ContainerConfigError) throw new DriverError('CreateContainerConfigError', err.message);
        throw err;
      }
      const argv = containerArgv(image.config, oci.command, oci.args);
      if (argv.length === 0) throw new DriverError('CreateContainerError', `failed to generate container spec: no command specified (image ${image.name} has no Entrypoint or Cmd)`);

      const id = `${launch.podUid.slice(0, 8)}-${launch.containerName}-${randomBytes(3).toString('hex')}`;
      const bundle = join(dirname(launch.logPath), `run-${id.slice(-6)}`);
      mkdirSync(bundle, { recursive: true, mode: 0o700 });
      const rootfs = join(bundle, 'rootfs');
      // Leased before the overlay exists, so neither prune nor GC can take the image from under it.
      options.images.lease(id, image.digest);
      const undo = async (): Promise<void> => {
        await unmountRootfs(rootfs);
        rmSync(bundle, { recursive: true, force: true });
        options.images.release(id);
      };
      try {
        await mountRootfs(image.rootfs, bundle, rootfs);
      } catch (err) {
        await undo();
        throw new DriverError('CreateContainerError', `cannot prepare the root filesystem: ${(err as Error).message}`);
      }
      const own = new Set(launch.mounts.map((m) => m.target));
      const etc = [
        { source: oci.etcFiles.hosts, target: '/etc/hosts', readOnly: false },
        { source: oci.etcFiles.hostname, target: '/etc/hostname', readOnly: false },
        { source: oci.etcFiles.resolvConf, target: '/etc/resolv.conf', readOnly: false },
      ].filter((m) => !own.has(m.target));
      const spec = buildOciSpec({
        argv,
        env: mergeImageEnv(image.config.env, launch.env),
        cwd: launch.workingDir || image.config.workingDir,
        user,
        hostname: oci.hostname,
        rootfs,
        readOnlyRoot: !!security.readOnlyRootFilesystem,
        netnsPath: oci.netnsPath,
        host: oci.host,
        shared: oci.shared,
        sysctls: oci.sysctls,
        binds: [...launch.mounts, ...etc].sort(byDepth),
        capabilities: { add: security.capabilities?.add ?? [], drop: security.capabilities?.drop ?? [] },
        noNewPrivileges: security.allowPrivilegeEscalation === false,
        privileged: !!security.privileged,
        seccompRuntimeDefault: seccomp === 'RuntimeDefault',
        cgroupsPath: cgroupsPath(id),
        memoryLimitBytes: oci.memoryLimitBytes,
        cpuQuota: oci.cpuLimitMillis ? Math.max(1000, oci.cpuLimitMillis * 100) : undefined,
        cpuShares: oci.cpuRequestMillis ? Math.max(2, Math.floor((oci.cpuRequestMillis * 1024) / 1000)) : undefined,
      });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
      rmSync(launch.exitPath, { force: true });

      const runcArgs = ['runc', '--root', root, '--log', join(bundle, 'runc.log'), '--log-format', 'json', 'run', '--keep', '--bundle', bundle, id];
      let started;
      try {
        // Detached (its own session), output to the log (made owner-only: a pod's output may hold what it should not have printed).
        started = await launcher(HELPER_ENV).start('/bin/sh', ['-c', WRAPPER, OCI_WRAPPER_NAME, launch.exitPath, ...runcArgs], { cwd: bundle, outputPath: launch.logPath });
      } catch (err) {
        await undo();
        throw new DriverError('StartError', `cannot start runc: ${(err as Error).message}`);
      }
      const handle: ContainerHandle = {
        pid: started.pid,
        procStart: readProcStat(started.pid)?.startTime ?? '',
        startedAt: new Date().toISOString(),
        exitPath: launch.exitPath,
        mountNamespace: true,
        driver: 'oci',
        containerId: id,
        bundle,
        imageID: image.imageID,
      };
      void started.exited.then(() => exitListeners.forEach((l) => l(handle)));
      return handle;
    },

    isAlive(handle) {
      return isSameLiveProcess(handle.pid, handle.procStart);
    },

    async settle() {
      await Promise.all(signalling);
    },

    signal(handle, signal) {
      if (!handle.containerId || !isSameLiveProcess(handle.pid, handle.procStart)) return;
      const sent = kill(handle, signal.replace(/^SIG/, '')).finally(() => signalling.delete(sent));
      signalling.add(sent);
    },

    exitCode(handle) {
      return recordedExitCode(handle.exitPath);
    },

    terminationReason(handle) {
      const failure = startFailure(handle);
      if (failure) return { reason: 'StartError', message: failure };
      if (handle.containerId && oomKills(cgroupsPath(handle.containerId)) > 0) return { reason: 'OOMKilled' };
      return undefined;
    },

    async exec(handle, _launch, argv, timeoutMs) {
      // Through the launcher: an exec probe of every pod each period would otherwise fork the runtime each time.
      const result = await launcher().run('runc', ['--root', root, 'exec', handle.containerId!, ...argv], { timeoutMs });
      if (result.timedOut) return { exitCode: -1, output: `command timed out after ${timeoutMs}ms` };
      return { exitCode: result.code, output: `${result.stdout}${result.stderr}`.slice(0, 1 << 20) };
    },

    async execStream(handle, _launch, argv, { stdin, tty }) {
      if (!handle.containerId || !isSameLiveProcess(handle.pid, handle.procStart)) throw new DriverError('ContainerNotRunning', 'the container is not running');
      if (tty) return spawnOnTerminal(['runc', '--root', root, 'exec', '--tty', handle.containerId, ...argv]);
      // runc hands its own stdio to the process: pipes here, so no terminal is involved.
      const child = spawn('runc', ['--root', root, 'exec', handle.containerId, ...argv], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      return execProcessOf(child);
    },

    limitsMemory: () => true,

    memoryUsage(handle) {
      return handle.containerId ? workingSetBytes(cgroupsPath(handle.containerId)) : 0;
    },

    async remove(handle) {
      if (!handle.containerId || !handle.bundle) return;
      await runc(root, ['delete', '--force', handle.containerId]);
      await unmountRootfs(join(handle.bundle, 'rootfs'));
      rmSync(handle.bundle, { recursive: true, force: true });
      options.images.release(handle.containerId);
    },

    onExit(listener) {
      exitListeners.push(listener);
    },

    async sweepUnknown(podsDir, known) {
      const keep = new Set(known.flatMap((h) => (h.containerId ? [h.containerId] : [])));
      let swept = 0;
      // Wrappers a dead runtime spawned but never recorded: their runc may not have made its container yet.
      for (const { pid, id } of ociWrappers(root)) {
        if (keep.has(id)) continue;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      for (const c of await runcList(root)) {
        if (keep.has(c.id)) continue;
        await runc(root, ['kill', c.id, 'KILL']);
        await runc(root, ['delete', '--force', c.id]);
        await unmountRootfs(join(c.bundle, 'rootfs'));
        rmSync(c.bundle, { recursive: true, force: true });
        options.images.release(c.id);
        swept++;
      }
      // Bundles whose container never reached runc (a crash between the overlay mount and the start).
      const keepBundles = new Set(known.flatMap((h) => (h.bundle ? [h.bundle] : [])));
      for (const bundle of strayBundles(podsDir, keepBundles)) {
        await unmountRootfs(join(bundle, 'rootfs'));
        const id = bundleContainerId(bundle);
        rmSync(bundle, { recursive: true, force: true });
        if (id) options.images.release(id);
        swept++;
      }
      return swept;
    },
  };
}

/**
 * The seccomp profile a container runs under: RuntimeDefault
 * (seccomp-profile.ts) or Unconfined, which is also Kubernetes' default when
 * none is asked for. A Localhost profile is a file on the node this runtime
 * does not read: the container fails to start, as on a node lacking the file.
 */
function seccompOf(profile: { type?: string; localhostProfile?: string } | undefined): 'RuntimeDefault' | 'Unconfined' {
  const type = profile?.type ?? 'Unconfined';
  if (type === 'RuntimeDefault' || type === 'Unconfined') return type;
  if (type === 'Localhost') {
    throw new DriverError('CreateContainerError', `seccompProfile Localhost (${JSON.stringify(profile?.localhostProfile ?? '')}) is not supported by this runtime: use RuntimeDefault or Unconfined`);
  }
  throw new DriverError('CreateContainerConfigError', `seccompProfile.type ${JSON.stringify(type)} is not one of RuntimeDefault, Unconfined, Localhost`);
}
