import type { KubeObject } from '../kube/object.js';
import { recordEvent } from '../objects/record-event.js';
import { resources } from '../resources/registry.js';
import type { KubeletContext } from './kubelet-context.js';
import { cpuMillis, memoryBytes } from '../kube/quantity.js';
import { claimsSchedulingProblem } from './claim-volume.js';

export interface NodeResources {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
  labels: Record<string, string>;
}

/** A pod's requests as the scheduler counts them: requests, or limits where requests are absent. */
export function podRequests(pod: KubeObject): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    cpu += cpuMillis(req.cpu ?? lim.cpu);
    memory += memoryBytes(req.memory ?? lim.memory);
  }
  return { cpu, memory };
}

function isActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Why the pod does not fit the node, in the scheduler's words; undefined when it fits. */
export function unschedulableReason(pod: KubeObject, bound: KubeObject[], node: NodeResources): string | undefined {
  const reasons: string[] = [];
  const selector: Record<string, string> = pod.spec?.nodeSelector ?? {};
  if (Object.entries(selector).some(([k, v]) => node.labels[k] !== v)) reasons.push("node(s) didn't match Pod's node affinity/selector");
  const want = podRequests(pod);
  let cpu = 0;
  let memory = 0;
  for (const other of bound) {
    const r = podRequests(other);
    cpu += r.cpu;
    memory += r.memory;
  }
  if (cpu + want.cpu > node.cpuMillis) reasons.push('Insufficient cpu');
  if (memory + want.memory > node.memoryBytes) reasons.push('Insufficient memory');
  if (bound.length + 1 > node.pods) reasons.push('Too many pods');
  if (reasons.length === 0) return undefined;
  return `0/1 nodes are available: ${reasons.map((r) => `1 ${r}`).join(', ')}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
}

/**
 * The pods bound to this node, re-listed at most every couple of seconds:
 * scheduling a burst of pods (a scale to 1000) would otherwise copy every
 * stored pod for each one. Pods bound in between are added as they are bound;
 * pods that ended in between still count, which only delays a pod by a retry.
 */
interface BoundSnapshot {
  at: number;
  pods: KubeObject[];
}
const snapshots = new WeakMap<KubeletContext, BoundSnapshot>();
/** How long a pod waits for its claims' volumes before the wait shows on the pod. */
const PROVISIONING_QUIET_MS = 10_000;
const SNAPSHOT_MS = 2000;

async function boundPods(ctx: KubeletContext): Promise<BoundSnapshot> {
  let snapshot = snapshots.get(ctx);
  if (!snapshot || Date.now() - snapshot.at > SNAPSHOT_MS) {
    const all = (await ctx.cluster.list(resources.pods, { fieldSelector: `spec.nodeName=${ctx.nodeName}` })).items;
    snapshot = { at: Date.now(), pods: all.filter(isActive) };
    snapshots.set(ctx, snapshot);
  }
  return snapshot;
}

/**
 * Binds a pending pod to this node when its requests fit what the bound pods
 * leave of the node's allocatable; otherwise marks it Unschedulable and tries
 * again later.
 */
export async function schedulePod(ctx: KubeletContext, pod: KubeObject, node: NodeResources): Promise<number | undefined> {
  if (pod.metadata.deletionTimestamp) return undefined;
  const snapshot = await boundPods(ctx);
  const bound = snapshot.pods.filter((p) => p.metadata.uid !== pod.metadata.uid);
  const claims = await claimsSchedulingProblem(ctx.cluster, ctx.nodeName, pod);
  const waited = Date.now() - (Date.parse(pod.metadata.creationTimestamp ?? '') || Date.now());
  // A claim being provisioned holds the pod quietly; one that takes long is named on the pod, as a stuck PreBind is.
  if (claims && 'provisioning' in claims && waited < PROVISIONING_QUIET_MS) return 500;
  const why = !claims
    ? unschedulableReason(pod, bound, node)
    : 'unschedulable' in claims
      ? `0/1 nodes are available: ${claims.unschedulable}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`
      : `running PreBind plugin "VolumeBinding": binding volumes: waiting for PersistentVolumeClaim "${claims.provisioning}" to be provisioned (see its events)`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  if (why) {
    const before = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (before?.message !== why) {
      await ctx.cluster.update(resources.pods, {
        ...pod,
        status: { ...(pod.status ?? {}), phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: why, lastProbeTime: null, lastTransitionTime: now }] },
      }, { status: true, fieldManager: 'kube-scheduler' });
      await recordEvent(ctx.cluster, pod, 'Warning', 'FailedScheduling', why, 'default-scheduler');
    }
    // A claim binds without any pod going away: look again soon.
    return claims ? 2000 : 10_000;
  }
  const bound2 = await ctx.cluster.update(resources.pods, { ...pod, spec: { ...pod.spec, nodeName: ctx.nodeName } }, { fieldManager: 'kube-scheduler' });
  snapshot.pods.push(bound2);
  const scheduled = await ctx.cluster.update(resources.pods, {
    ...bound2,
    status: { ...(bound2.status ?? {}), phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }] },
  }, { status: true, fieldManager: 'kube-scheduler' });
  // Its sync follows in the same reconcile: the two writes' events need not wake it again.
  ctx.ownStatusWrites.set(`${pod.metadata.namespace}/${pod.metadata.name}`, scheduled.metadata.resourceVersion!);
  await recordEvent(ctx.cluster, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${ctx.nodeName}`, 'default-scheduler');
  return 0;
}
