import type { KubeObject } from '../kube/object.js';
import { cpuMillis, memoryBytes } from '../kube/quantity.js';
import type { OciLaunch } from './pod-driver.js';
import type { PodSandboxFiles } from './pod-record.js';
import type { PodSharedNamespaces } from './pod-shared-namespaces.js';
import { podSysctls } from './pod-sysctls.js';

/**
 * What an image driver needs of the container beyond the launch: image,
 * command/args, the pod's sandbox (or, on the host's network, its /etc files
 * alone) and the namespaces all its containers share, the host namespaces and
 * sysctls it asks for, security and resources.
 */
export function ociLaunch(
  pod: KubeObject,
  sandbox: Omit<PodSandboxFiles, 'netnsPath'> & { netnsPath?: string },
  shared: PodSharedNamespaces,
  spec: any,
  resolved: { command?: string[]; args?: string[] },
  image: OciLaunch['image'],
): OciLaunch {
  const podSec = pod.spec?.securityContext ?? {};
  const sec = spec.securityContext ?? {};
  const pick = <T>(key: string): T | undefined => (sec[key] !== undefined ? sec[key] : podSec[key]);
  const limits = spec.resources?.limits ?? {};
  const requests = spec.resources?.requests ?? {};
  const host = { network: pod.spec?.hostNetwork === true, pid: pod.spec?.hostPID === true, ipc: pod.spec?.hostIPC === true };
  return {
    image,
    command: resolved.command,
    args: resolved.args,
    netnsPath: host.network ? undefined : sandbox.netnsPath,
    hostname: sandbox.hostname,
    etcFiles: sandbox.etcFiles,
    ...(host.network || host.pid || host.ipc ? { host } : {}),
    shared,
    sysctls: podSysctls(pod),
    security: {
      runAsUser: pick<number>('runAsUser'),
      runAsGroup: pick<number>('runAsGroup'),
      runAsNonRoot: pick<boolean>('runAsNonRoot'),
      supplementalGroups: podSec.supplementalGroups,
      fsGroup: podSec.fsGroup,
      readOnlyRootFilesystem: sec.readOnlyRootFilesystem,
      allowPrivilegeEscalation: sec.allowPrivilegeEscalation,
      privileged: sec.privileged,
      capabilities: sec.capabilities,
      seccompProfile: pick<{ type?: string; localhostProfile?: string }>('seccompProfile'),
    },
    memoryLimitBytes: memoryBytes(limits.memory) || undefined,
    cpuLimitMillis: cpuMillis(limits.cpu) || undefined,
    cpuRequestMillis: cpuMillis(requests.cpu ?? limits.cpu) || undefined,
    who: `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${spec.name}`,
  };
}
