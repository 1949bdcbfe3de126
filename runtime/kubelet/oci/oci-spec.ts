import type { ContainerUser } from './container-user.js';
import { runtimeDefaultSeccomp } from './seccomp-profile.js';

/** What the runtime spec of one container is made from; every field already resolved and validated. */
export interface OciSpecInput {
  argv: string[];
  /** `NAME=value`, image Env merged under the container's. */
  env: string[];
  /** Empty: `/`. */
  cwd: string;
  user: ContainerUser;
  /** Unused with `hostNetwork`: the container has the host's uts namespace, as Kubernetes gives a host-network pod. */
  hostname: string;
  /** Directory of the container's root filesystem (the mounted overlay). */
  rootfs: string;
  readOnlyRoot: boolean;
  /** The pod's network namespace; absent shares none (a new, empty one). */
  netnsPath?: string;
  /**
   * The host's namespaces instead of the container's own (hostNetwork: network
   * and uts; hostPID: pid; hostIPC: ipc, with the host's /dev/shm).
   * @defaultValue none
   */
  host?: HostNamespaces;
  /**
   * The pod's IPC and uts namespaces and /dev/shm, joined instead of made
   * (pod-shared-namespaces.ts); the hostname is then the uts namespace's own.
   * @defaultValue none: the container's own
   */
  shared?: { ipcPath?: string; utsPath?: string; shmDir?: string };
  /** `linux.sysctl`: written by runc in the container's namespaces before its process starts. @defaultValue none */
  sysctls?: Record<string, string>;
  /** Bind mounts: volumes, then the pod's /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  binds: Array<{ source: string; target: string; readOnly: boolean }>;
  capabilities: { add: string[]; drop: string[] };
  noNewPrivileges: boolean;
  /** cgroupfs path, e.g. `/baton/<id>`. */
  cgroupsPath: string;
  memoryLimitBytes?: number;
  /** CPU quota per 100 ms period, in microseconds (limits.cpu). */
  cpuQuota?: number;
  /** cgroup v1 shares from requests.cpu, as the kubelet computes them. */
  cpuShares?: number;
  /** /dev/shm size in bytes. @defaultValue 64 MiB */
  shmBytes?: number;
  /** securityContext.privileged (allowed only with the runtime's --allow-privileged): every capability, nothing masked, /sys writable, every device. */
  privileged?: boolean;
  /** seccompProfile RuntimeDefault: runtimeDefaultSeccomp's filter (none for a privileged container). @defaultValue unconfined */
  seccompRuntimeDefault?: boolean;
}

/** The pod's `hostNetwork`, `hostPID` and `hostIPC`. */
export interface HostNamespaces {
  network?: boolean;
  pid?: boolean;
  ipc?: boolean;
}

/** containerd's default capability set, which Kubernetes containers start from. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Every capability of Linux 6.x: what `add: [ALL]` and a privileged container get. */
const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Kubernetes' default masked and read-only /proc and /sys paths (the container runtime's defaults). */
const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

function capName(cap: string): string {
  const upper = cap.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * The capabilities of `add` beyond the default set (`ALL` among them), as
 * asked: what only a runtime started with --allow-privileged grants. Without
 * a user namespace or seccomp, SYS_ADMIN, SYS_PTRACE, DAC_READ_SEARCH and the
 * like reach the host (Kubernetes' baseline Pod Security refuses them too).
 */
export function capabilitiesBeyondDefault(add: string[]): string[] {
  return add.filter((cap) => !DEFAULT_CAPABILITIES.includes(capName(cap)));
}

/** The effective capability set: the defaults, minus `drop` (`ALL` drops every one), plus `add`. */
export function effectiveCapabilities(add: string[], drop: string[]): string[] {
  const dropped = drop.map(capName);
  const base = dropped.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !dropped.includes(c));
  const added = add.map(capName);
  return [...new Set([...base, ...(added.includes('CAP_ALL') ? ALL_CAPABILITIES : added)])];
}

/** An OCI runtime spec (config.json) for runc, in the shape containerd gives Kubernetes containers. */
export function buildOciSpec(input: OciSpecInput): Record<string, unknown> {
  const caps = input.privileged ? ALL_CAPABILITIES : effectiveCapabilities(input.capabilities.add, input.capabilities.drop);
  const host = input.host ?? {};
  const shared = input.shared ?? {};
  const ns = (type: string, path?: string): Record<string, string> => (path ? { type, path } : { type });
  // A namespace left out of the list is the host's: runc then neither makes one nor joins one.
  const namespaces: Array<Record<string, string>> = [{ type: 'mount' }];
  if (!host.pid) namespaces.push({ type: 'pid' });
  if (!host.ipc) namespaces.push(ns('ipc', shared.ipcPath));
  if (!host.network) namespaces.push(ns('uts', shared.utsPath), ns('network', input.netnsPath));
  const shmDir = host.ipc ? '/dev/shm' : shared.shmDir;
  const shm = shmDir
    ? { destination: '/dev/shm', type: 'bind', source: shmDir, options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'nodev', 'rw'] }
    : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmBytes ?? 64 * 1024 * 1024}`] };
  const resources: Record<string, unknown> = { devices: [{ allow: !!input.privileged, access: 'rwm' }] };
  if (input.memoryLimitBytes) resources.memory = { limit: input.memoryLimitBytes };
  if (input.cpuQuota || input.cpuShares) {
    resources.cpu = {
      ...(input.cpuShares ? { shares: input.cpuShares } : {}),
      ...(input.cpuQuota ? { quota: input.cpuQuota, period: 100_000 } : {}),
    };
  }
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: input.user.uid, gid: input.user.gid, additionalGids: input.user.additionalGids },
      args: input.argv,
      env: input.env,
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: input.noNewPrivileges,
      oomScoreAdj: 0,
    },
    root: { path: input.rootfs, readonly: input.readOnlyRoot },
    ...(host.network || shared.utsPath ? {} : { hostname: input.hostname }),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      shm,
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', input.privileged ? 'rw' : 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...input.binds.map((b) => ({ destination: b.target, type: 'bind', source: b.source, options: ['rbind', 'rprivate', b.readOnly ? 'ro' : 'rw'] })),
    ],
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources,
      ...(input.sysctls && Object.keys(input.sysctls).length ? { sysctl: input.sysctls } : {}),
      maskedPaths: input.privileged ? [] : MASKED_PATHS,
      readonlyPaths: input.privileged ? [] : READONLY_PATHS,
      ...(input.seccompRuntimeDefault && !input.privileged ? { seccomp: runtimeDefaultSeccomp() } : {}),
    },
  };
}
