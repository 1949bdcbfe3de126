import type { KubeObject } from '../kube/object.js';
import { normalizeSysctlName, SAFE_SYSCTLS, sysctlNamespace } from '../kube/sysctl-names.js';

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
