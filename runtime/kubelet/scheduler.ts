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

/** What the pods bound to a node ask of it, summed. */
export interface NodeUsage {
  cpu: number;
  memory: number;
  pods: number;
}

/** Why the pod does not fit the node, in the scheduler's words; undefined when it fits. */
export function unschedulableReason(pod: KubeObject, bound: KubeObject[], node: NodeResources): string | undefined {
  const used: NodeUsage = { cpu: 0, memory: 0, pods: bound.length };
  for (const other of bound) {
    const r = podRequests(other);
    used.cpu += r.cpu;
    used.memory += r.memory;
  }
  return unfitReason(pod, used, node);
}

/** unschedulableReason over what the bound pods use, summed beforehand. */
function unfitReason(pod: KubeObject, used: NodeUsage, node: NodeResources): string | undefined {
  const reasons: string[] = [];
  const selector: Record<string, string> = pod.spec?.nodeSelector ?? {};
  if (Object.entries(selector).some(([k, v]) => node.labels[k] !== v)) reasons.push("node(s) didn't match Pod's node affinity/selector");
  const want = podRequests(pod);
  if (used.cpu + want.cpu > node.cpuMillis) reasons.push('Insufficient cpu');
  if (used.memory + want.memory > node.memoryBytes) reasons.push('Insufficient memory');
  if (used.pods + 1 > node.pods) reasons.push('Too many pods');
  if (reasons.length === 0) return undefined;
  return `0/1 nodes are available: ${reasons.map((r) => `1 ${r}`).join(', ')}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
}

/**
 * What the scheduler counts as using the node: the pods bound to it, re-listed
 * at most every couple of seconds (scheduling a burst of 1,000 pods would
 * otherwise copy every stored pod for each one), and the pods it placed
 * itself since ("assumed", as kube-scheduler's cache has them): those are
 * counted from the decision on, while their binding is written and until a
 * list taken after the write shows them. Pods that ended in between still
 * count, which only delays a pod by a retry. Their requests are summed once
 * per list and kept up to date as pods are assumed, so a decision costs the
 * same beside 10 pods as beside 1,000.
 */
interface NodeBook {
  /** The last list: each active pod's requests by uid, and their sum. */
  listed?: { at: number; requests: Map<string, Requests>; total: NodeUsage };
  assumed: Map<string, { requests: Requests; writtenAt?: number }>;
  /** What the assumed pods missing from the last list use: kept as they come and go, so a decision costs no sum over the node's pods. */
  extra: NodeUsage;
  /** Decisions are made one at a time, so two pods that each fit cannot together overcommit the node; writes are not. */
  turn: Promise<unknown>;
}
type Requests = { cpu: number; memory: number };
const books = new WeakMap<KubeletContext, NodeBook>();
/** How long a pod waits for its claims' volumes before the wait shows on the pod. */
const PROVISIONING_QUIET_MS = 10_000;
const SNAPSHOT_MS = 2000;

function bookOf(ctx: KubeletContext): NodeBook {
  let book = books.get(ctx);
  if (!book) books.set(ctx, (book = { assumed: new Map(), extra: { cpu: 0, memory: 0, pods: 0 }, turn: Promise.resolve() }));
  return book;
}

function addTo(usage: NodeUsage, r: Requests, sign: 1 | -1): void {
  usage.cpu += sign * r.cpu;
  usage.memory += sign * r.memory;
  usage.pods += sign;
}

function assume(book: NodeBook, uid: string, pod: KubeObject, writtenAt?: number): void {
  unassume(book, uid);
  const requests = podRequests(pod);
  book.assumed.set(uid, { requests, writtenAt });
  if (!book.listed?.requests.has(uid)) addTo(book.extra, requests, 1);
}

function unassume(book: NodeBook, uid: string): void {
  const held = book.assumed.get(uid);
  if (!held) return;
  book.assumed.delete(uid);
  if (!book.listed?.requests.has(uid)) addTo(book.extra, held.requests, -1);
}

/** What the pods using the node besides `pod` ask of it. */
async function usageBesides(ctx: KubeletContext, book: NodeBook, pod: KubeObject): Promise<NodeUsage> {
  if (!book.listed || Date.now() - book.listed.at > SNAPSHOT_MS) {
    const at = Date.now();
    const all = (await ctx.cluster.list(resources.pods, { fieldSelector: `spec.nodeName=${ctx.nodeName}` })).items;
    const requests = new Map<string, Requests>();
    const total: NodeUsage = { cpu: 0, memory: 0, pods: 0 };
    for (const p of all) {
      if (!isActive(p)) continue;
      const r = podRequests(p);
      requests.set(p.metadata.uid!, r);
      addTo(total, r, 1);
    }
    book.listed = { at, requests, total };
    // A binding written before this list began is in it (or its pod is gone).
    for (const [uid, { writtenAt }] of book.assumed) if (writtenAt !== undefined && writtenAt < at) book.assumed.delete(uid);
    book.extra = { cpu: 0, memory: 0, pods: 0 };
    for (const [uid, held] of book.assumed) if (!requests.has(uid)) addTo(book.extra, held.requests, 1);
  }
  const { total } = book.listed;
  const used = { cpu: total.cpu + book.extra.cpu, memory: total.memory + book.extra.memory, pods: total.pods + book.extra.pods };
  const uid = pod.metadata.uid!;
  const own = book.listed.requests.get(uid) ?? book.assumed.get(uid)?.requests;
  if (own) addTo(used, own, -1);
  return used;
}

type Decision = { bind: true } | { why: string; claims: boolean } | { wait: number };

/** Whether the pod fits (then it is assumed on the node at once); one decision at a time. */
async function decide(ctx: KubeletContext, book: NodeBook, pod: KubeObject, node: NodeResources): Promise<Decision> {
  const used = await usageBesides(ctx, book, pod);
  const claims = await claimsSchedulingProblem(ctx.cluster, ctx.nodeName, pod);
  const waited = Date.now() - (Date.parse(pod.metadata.creationTimestamp ?? '') || Date.now());
  // A claim being provisioned holds the pod quietly; one that takes long is named on the pod, as a stuck PreBind is.
  if (claims && 'provisioning' in claims && waited < PROVISIONING_QUIET_MS) return { wait: 500 };
  const why = !claims
    ? unfitReason(pod, used, node)
    : 'unschedulable' in claims
      ? `0/1 nodes are available: ${claims.unschedulable}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`
      : `running PreBind plugin "VolumeBinding": binding volumes: waiting for PersistentVolumeClaim "${claims.provisioning}" to be provisioned (see its events)`;
  if (why) return { why, claims: !!claims };
  assume(book, pod.metadata.uid!, pod);
  return { bind: true };
}

/**
 * Binds a pending pod to this node when its requests fit what the bound pods
 * leave of the node's allocatable; otherwise marks it Unschedulable and tries
 * again later.
 */
export async function schedulePod(ctx: KubeletContext, pod: KubeObject, node: NodeResources): Promise<number | undefined> {
  if (pod.metadata.deletionTimestamp) return undefined;
  const book = bookOf(ctx);
  const decided = book.turn.then(() => decide(ctx, book, pod, node));
  book.turn = decided.catch(() => undefined);
  const decision = await decided;
  if ('wait' in decision) return decision.wait;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  if ('why' in decision) {
    const { why } = decision;
    const before = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (before?.message !== why) {
      await ctx.cluster.update(resources.pods, {
        ...pod,
        status: { ...(pod.status ?? {}), phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: why, lastProbeTime: null, lastTransitionTime: now }] },
      }, { status: true, fieldManager: 'kube-scheduler' });
      await recordEvent(ctx.cluster, pod, 'Warning', 'FailedScheduling', why, 'default-scheduler');
    }
    // A claim binds without any pod going away: look again soon.
    return decision.claims ? 2000 : 10_000;
  }
  const uid = pod.metadata.uid!;
  let bound: KubeObject;
  try {
    bound = await ctx.cluster.update(resources.pods, { ...pod, spec: { ...pod.spec, nodeName: ctx.nodeName } }, { fieldManager: 'kube-scheduler' });
  } catch (err) {
    unassume(book, uid);
    throw err;
  }
  assume(book, uid, bound, Date.now());
  const scheduled = await ctx.cluster.update(resources.pods, {
    ...bound,
    status: { ...(bound.status ?? {}), phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }] },
  }, { status: true, fieldManager: 'kube-scheduler' });
  // Its sync follows in the same reconcile: the two writes' events need not wake it again.
  ctx.ownStatusWrites.set(`${pod.metadata.namespace}/${pod.metadata.name}`, scheduled.metadata.resourceVersion!);
  void recordEvent(ctx.cluster, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${ctx.nodeName}`, 'default-scheduler');
  return 0;
}
