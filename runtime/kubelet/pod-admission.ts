import type { KubeObject } from '../kube/object.js';
import { recordEvent } from '../objects/record-event.js';
import type { KubeletContext } from './kubelet-context.js';
import { qosClass } from './pod-status.js';
import { forbiddenSysctl, SYSCTL_FORBIDDEN } from './pod-sysctls.js';
import { resources } from '../resources/registry.js';

/**
 * The kubelet's admission of a pod new to the node (`canAdmitPod`): a pod it
 * cannot run as asked is rejected before anything of it is made, never
 * started without what it asked for. Today that is the sysctl allowlist.
 * False once the pod is rejected: phase Failed with the handler's reason and
 * `Pod was rejected: …`, and a Warning event, as `rejectPod` writes them.
 */
export async function admitPod(ctx: KubeletContext, pod: KubeObject): Promise<boolean> {
  const message = forbiddenSysctl(pod, ctx.allowUnsafeSysctls === true);
  if (message === undefined) return true;
  await recordEvent(ctx.cluster, pod, 'Warning', SYSCTL_FORBIDDEN, message, 'kubelet');
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const scheduled = (pod.status?.conditions ?? []).filter((c: any) => c.type === 'PodScheduled');
  const status = {
    phase: 'Failed',
    reason: SYSCTL_FORBIDDEN,
    message: `Pod was rejected: ${message}`,
    ...(scheduled.length ? { conditions: scheduled } : {}),
    startTime: pod.status?.startTime ?? now,
    qosClass: qosClass(pod.spec?.containers ?? []),
  };
  await ctx.cluster.update(resources.pods, { ...pod, status }, { status: true, fieldManager: 'kubelet' });
  return false;
}
