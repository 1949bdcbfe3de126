import type { KubeObject } from '../kube/object.js';
import { normalizeSysctlName, sysctlNamespace } from '../kube/sysctl-names.js';

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

/** The kubelet's sysctl admission refuses a pod with this pod status reason. */
export const SYSCTL_FORBIDDEN = 'SysctlForbidden';

/**
 * Why the kubelet refuses the pod's `securityContext.sysctls` at admission
 * (`forbidden sysctl: …`, the allowlist's text), or undefined. The safe set is
 * allowed; with `allowUnsafe` (the runtime's --allow-privileged, as the
 * kubelet's `--allowed-unsafe-sysctls` with every namespaced pattern) any
 * namespaced sysctl; never one of the node's own, nor a network (IPC) one in a
 * pod on the host's network (IPC).
 */
export function forbiddenSysctl(pod: KubeObject, allowUnsafe: boolean): string | undefined {
  const sysctls: Array<{ name?: unknown }> = pod.spec?.securityContext?.sysctls ?? [];
  for (const s of sysctls) {
    const name = normalizeSysctlName(String(s?.name ?? ''));
    const ns = sysctlNamespace(name);
    if (!ns || (!allowUnsafe && !SAFE_SYSCTLS.includes(name))) return `forbidden sysctl: "${name}" not allowlisted`;
    if ((ns === 'Net' && pod.spec?.hostNetwork === true) || (ns === 'IPC' && pod.spec?.hostIPC === true)) {
      return `forbidden sysctl: "${name}" not allowed with host ${ns} enabled`;
    }
  }
  return undefined;
}

/** The pod's sysctls by dotted name, as the OCI spec's `linux.sysctl` takes them. */
export function podSysctls(pod: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) out[normalizeSysctlName(String(s.name))] = String(s.value ?? '');
  return out;
}
