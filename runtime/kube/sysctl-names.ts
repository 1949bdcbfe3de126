/**
 * Sysctl names as Kubernetes reads them (component-helpers' node/util/sysctl
 * and the API's validation): one home for the apiserver's checks and the
 * kubelet's admission.
 */

export type SysctlNamespace = 'IPC' | 'Net';

const IPC_NAMES = ['kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced', 'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni'];

/** A sysctl written with slashes (`net/ipv4/ip_forward`) in its dotted form, as the kubelet reads it (`NormalizeName`). */
export function normalizeSysctlName(name: string): string {
  const first = name.search(/[./]/);
  if (first === -1 || name[first] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** The kernel namespace that holds a sysctl (component-helpers' `namespaceOf`), undefined when it is the whole node's. */
export function sysctlNamespace(name: string): SysctlNamespace | undefined {
  if (IPC_NAMES.includes(name)) return 'IPC';
  if (name.startsWith('net.')) return 'Net';
  if (name.startsWith('fs.mqueue.')) return 'IPC';
  return undefined;
}

const SYSCTL_SEGMENT = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';

/** What `IsValidSysctlName` accepts, as its error says it: dotted or slashed segments, at most 253 characters. */
export const SYSCTL_NAME_PATTERN = `^(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}$`;

export function isValidSysctlName(name: string): boolean {
  return name.length <= 253 && new RegExp(SYSCTL_NAME_PATTERN).test(name);
}

/**
 * The kubelet's safe sysctls (pkg/kubelet/sysctl/safe_sysctls.go, 1.32; the
 * Pod Security baseline's list): namespaced, and without effect on any other
 * pod or on the node. Every pod may set them.
 */
export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
