import { DriverError, type OciLaunch } from '../pod-driver.js';
import { capabilitiesBeyondDefault } from './oci-spec.js';

/** The pod fields that put a container in a namespace of the host's, and what it would share. */
const HOST_FIELDS = [
  ['network', 'hostNetwork', 'network namespace (every address and port of the machine)'],
  ['pid', 'hostPID', 'pid namespace (every process of the machine)'],
  ['ipc', 'hostIPC', "IPC namespace (the machine's shared memory and message queues)"],
] as const;

/**
 * Refuses what reaches beyond the container unless the runtime allows
 * privileges (--allow-privileged), as Kubernetes' baseline Pod Security does:
 * privileged containers, capabilities beyond the default set, and the host's
 * network, pid or IPC namespace. A CreateContainerConfigError each, naming
 * the field and the flag.
 */
export function refuseWithoutPrivileges(oci: OciLaunch, allowPrivileged: boolean): void {
  if (allowPrivileged) return;
  if (oci.security.privileged) {
    throw new DriverError('CreateContainerConfigError', 'privileged containers are not allowed by this runtime (start it with --allow-privileged)');
  }
  const host = HOST_FIELDS.find(([key]) => oci.host?.[key]);
  if (host) {
    throw new DriverError('CreateContainerConfigError', `${host[1]} pods are not allowed by this runtime: the pod would share the host's ${host[2]} (start it with --allow-privileged)`);
  }
  const beyond = capabilitiesBeyondDefault(oci.security.capabilities?.add ?? []);
  if (beyond.length > 0) {
    throw new DriverError('CreateContainerConfigError', `capabilities.add ${beyond.join(', ')} not allowed by this runtime: a container adds only capabilities of the default set (start it with --allow-privileged for more)`);
  }
}
