import type { KubeObject } from '../kube/object.js';

/**
 * Why the built-in runtime cannot run a container of this pod as asked, for
 * PodSpec fields it does not implement (each would otherwise be silently
 * ignored), or undefined. The container then waits with
 * CreateContainerConfigError and this message. What only privileges stand in
 * the way of is the drivers' to refuse (launch-privileges.ts, process-driver.ts).
 */
export function unsupportedHostFeature(pod: KubeObject, container: any, imagePod: boolean): string | undefined {
  const spec = pod.spec ?? {};
  if (spec.shareProcessNamespace === true) {
    return 'shareProcessNamespace is not supported by the built-in runtime: each container runs in a pid namespace of its own (no pod-level process holds a shared one)';
  }
  // With hostNetwork a hostPort equals the containerPort (the API defaults and validates it so): the pod already listens on the host.
  if (spec.hostNetwork !== true) {
    for (const [i, port] of (container.ports ?? []).entries()) {
      if (port?.hostPort) {
        return `ports[${i}].hostPort ${port.hostPort} is not supported by the built-in runtime: a pod is reached from the host through a Service (type NodePort) or an Ingress, not a port of the host`;
      }
    }
  }
  if (imagePod) return undefined;
  for (const field of ['hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) return `${field} is not supported for process pods (runtimeClassName: process): a host program runs in pid and IPC namespaces of its own; run the pod from an image`;
  }
  if ((spec.securityContext?.sysctls ?? []).length > 0) {
    return 'securityContext.sysctls are not supported for process pods (runtimeClassName: process) by the built-in runtime; run the pod from an image, whose containers get them';
  }
  return undefined;
}
