/**
 * What a process pod's sandbox costs the machine, outside the runtime: the
 * sandbox zygote's tree (the wrapper, pid 1 in the pod's namespaces, the
 * set-up with its mounts and the privileges dropped, the environment from
 * fd 3) made N times one after another with `/bin/true` as the program, as
 * bench/runtime-scale.ts's pods have it (the pod's /etc files, a read-only
 * volume below /tmp, one outside it, the hidden state dir); the CPU of the
 * whole tree per start (the zygote's own and what it reaped) beside the
 * floor: N bare runs of the same program from a shell.
 *
 *   npx tsx bench/process-sandbox-cost.ts [--starts 200] [--root]
 *
 * `--root`: the pod runs as root (every mount remounted read-only). Needs root
 * and unshare; enters its own network namespace (nsenter costs as on the pod
 * network, no namespace is made).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sandboxProgram } from '../runtime/kubelet/process-sandbox.js';
import { SandboxZygote } from '../runtime/kubelet/sandbox-zygote.js';
import { environmentFile, HELPER_ENV } from '../runtime/kubelet/pod-env-handoff.js';
import { SERVICE_ACCOUNT_MOUNT_PATH } from '../runtime/kubelet/service-account-volume.js';

const { values: args } = parseArgs({ options: { starts: { type: 'string', default: '200' }, root: { type: 'boolean', default: false } } });
const starts = Number(args.starts);
const user = args.root ? { uid: 0, gid: 0, groups: [] } : { uid: 65534, gid: 65534, groups: [] };

/** Runs `/bin/sh argv…` `starts` times in one shell and returns the CPU of everything it ran (ms), from its `times`. */
function treeCpuMs(argv: string[], envFile: string, logPath: string): number {
  const loop = `i=0; while [ $i -lt ${starts} ]; do /bin/sh "$@" 3<"$ENV_FILE" </dev/null >>"$LOG" 2>&1 || echo "exit $?" >&2; i=$((i+1)); done; times`;
  const run = spawnSync('/bin/sh', ['-c', loop, 'bench', ...argv], { env: { ...HELPER_ENV, ENV_FILE: envFile, LOG: logPath }, encoding: 'utf8' });
  if (run.stderr) throw new Error(`a start failed: ${run.stderr.trim().split('\n').slice(0, 3).join('; ')}`);
  // `times`: the shell's own user and system time, then its children's.
  const children = run.stdout.trim().split('\n')[1].split(/\s+/);
  return children.map((t) => { const [, m, s] = /^(\d+)m([\d.]+)s$/.exec(t)!; return Number(m) * 60_000 + Number(s) * 1000; }).reduce((a, b) => a + b, 0);
}

/** This process's reaped children's CPU (cutime + cstime), ms. */
function reapedCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

/** Starts the sandbox `starts` times through a zygote of its own, one after another, and returns the CPU of its whole tree (ms). */
async function zygoteCpuMs(launch: { exitPath: string; logPath: string; workingDir: string; hostname: string; argv: string[]; podNetwork: { netnsPath: string } }, setup: string, envFile: string): Promise<number> {
  const zygote = new SandboxZygote();
  const envFd = openSync(envFile, 'r');
  const before = reapedCpuMs();
  // A sandbox's end does not keep node alive (pods outlive the runtime): this does, until the last start is done.
  const alive = setInterval(() => undefined, 1000);
  try {
    for (let i = 0; i < starts; i++) {
      const started = await zygote.start({
        exitPath: launch.exitPath, cwd: dirname(launch.logPath), outputPath: launch.logPath, fd3: envFd, netnsPath: launch.podNetwork.netnsPath,
        setup, args: [launch.workingDir, launch.hostname, ...launch.argv],
      });
      const code = await started.exited;
      if (code !== 0) throw new Error(`a start failed (exit ${code}): see ${launch.logPath}`);
    }
    // The zygote reaps each sandbox; once it has ended, this process has reaped it: its children's CPU holds them all.
    await zygote.stop();
  } finally {
    clearInterval(alive);
    closeSync(envFd);
  }
  return reapedCpuMs() - before;
}

// Not below /tmp: the pod's own /tmp would cover the state dir, and its hiding mount would be skipped.
const dir = await mkdtemp(join(existsSync('/run') ? '/run' : tmpdir(), 'baton-bench-sandbox-'));
try {
  const state = join(dir, 'state');
  const pod = join(state, 'pods', 'uid', 'c');
  mkdirSync(pod, { recursive: true, mode: 0o711 });
  const www = join(dir, 'www');
  const token = join(state, 'pods', 'uid', 'token');
  const etc = join(state, 'pods', 'uid', 'etc');
  for (const d of [www, token, etc]) mkdirSync(d, { recursive: true });
  for (const f of ['hosts', 'hostname', 'resolv.conf']) writeFileSync(join(etc, f), '\n');
  const logPath = join(pod, 'log');
  closeSync(openSync(logPath, 'a', 0o600));
  const launch = {
    podUid: 'uid', containerName: 'c', argv: ['/bin/true'], env: {}, workingDir: '', logPath, exitPath: join(pod, 'exit'), hostname: 'web-1',
    mounts: [{ source: www, target: '/tmp/www', readOnly: true }, { source: token, target: SERVICE_ACCOUNT_MOUNT_PATH, readOnly: true }],
    podNetwork: { netnsPath: '/proc/self/ns/net', etcFiles: { hosts: join(etc, 'hosts'), hostname: join(etc, 'hostname'), resolvConf: join(etc, 'resolv.conf') } },
  };
  // As the process driver has it: the pod's /tmp is assembled over the container's directory.
  const stage = pod;
  const envFile = environmentFile(pod, { PATH: '/usr/bin:/bin', POD_IP: '10.244.0.2', PORT: '8080' });
  const floor = treeCpuMs(['-c', 'exec "$@"', 'bare', '/bin/true'], envFile, logPath);
  const sandboxed = await zygoteCpuMs(launch, sandboxProgram({ binds: launch.mounts, etcFiles: launch.podNetwork.etcFiles, hidden: [state], user, stage }), envFile);
  const perStart = (ms: number) => `${(ms / starts).toFixed(1)} ms`;
  console.log(`process sandbox set-up, ${starts} starts one after another, as ${args.root ? 'root' : 'nobody'}: CPU of the whole process tree (the zygote's, the floor's shell's)\n`);
  console.log(`sandboxed start  ${perStart(sandboxed)} CPU per start   floor: bare /bin/true ${perStart(floor)} per start`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
