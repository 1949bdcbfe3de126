import type { StatusCause } from '../../errors/status-error.js';
import { isValidSysctlName, normalizeSysctlName, SYSCTL_NAME_PATTERN, sysctlNamespace } from '../../kube/sysctl-names.js';
import { duplicate, invalidValue, required } from './field-error.js';

/**
 * `securityContext.sysctls` as the apiserver validates a new pod
 * (validateSysctls, ValidateHostSysctl): each name present, well formed and
 * once; none of the network (IPC) namespace's on the host's network (IPC).
 * Which sysctls a node runs is its kubelet's to decide (pod-sysctls.ts).
 */
export function validatePodSysctls(spec: any, path: string): StatusCause[] {
  const sysctls = spec?.securityContext?.sysctls;
  if (!Array.isArray(sysctls)) return [];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  sysctls.forEach((s: any, i: number) => {
    const at = `${path}.securityContext.sysctls[${i}].name`;
    const name = s?.name;
    if (typeof name !== 'string' || name === '') return void causes.push(required(at));
    if (!isValidSysctlName(name)) return void causes.push(invalidValue(at, name, `must have at most 253 characters and match regex ${SYSCTL_NAME_PATTERN}`));
    if (seen.has(name)) causes.push(duplicate(at, name));
    seen.add(name);
    const ns = sysctlNamespace(normalizeSysctlName(name));
    if (ns === 'Net' && spec.hostNetwork === true) causes.push(invalidValue(at, name, "may not be specified when 'hostNetwork' is true"));
    if (ns === 'IPC' && spec.hostIPC === true) causes.push(invalidValue(at, name, "may not be specified when 'hostIPC' is true"));
  });
  return causes;
}
