import type { KubeObject, WatchEvent } from '../kube/object.js';
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
 * What the scheduler counts as using the node, as kube-scheduler's cache
 * keeps it: the unfinished pods bound to the node, fed by a watch (so
 * scheduling 1,000 pods neither relists nor re-sums the node's pods), and the
 * pods it placed itself whose binding the watch has not shown yet
 * ("assumed"): those count from the decision on. Their requests are summed
 * as pods come and go, so a decision costs the same beside 10 pods as beside
 * 1,000.
 */
interface NodeBook {
  /** Unfinished pods the watch shows bound to the node: each one's requests. */
  bound: Map<string, Requests>;
  /** Pods placed by a decision, not yet shown bound by the watch. */
  assumed: Map<string, Requests>;
  /** The sum over `bound` and `assumed`. */
  used: NodeUsage;
  /** Settles once the watch has delivered the pods already bound. */
  watching?: Promise<void>;
  /** Decisions are made one at a time, so two pods that each fit cannot together overcommit the node; writes are not. */
  turn: Promise<unknown>;
}
type Requests = { cpu: number; memory: number };
const books = new WeakMap<KubeletContext, NodeBook>();
/** How long a pod waits for its claims' volumes before the wait shows on the pod. */
const PROVISIONING_QUIET_MS = 10_000;

function bookOf(ctx: KubeletContext): NodeBook {
  let book = books.get(ctx);
  if (!book) books.set(ctx, (book = { bound: new Map(), assumed: new Map(), used: { cpu: 0, memory: 0, pods: 0 }, turn: Promise.resolve() }));
  return book;
}

function addTo(usage: NodeUsage, r: Requests, sign: 1 | -1): void {
  usage.cpu += sign * r.cpu;
  usage.memory += sign * r.memory;
  usage.pods += sign;
}

/** Moves `uid` in or out of `map`, keeping the sum. */
function setShare(book: NodeBook, map: Map<string, Requests>, uid: string, requests: Requests | undefined): void {
  const held = map.get(uid);
  if (held) {
    addTo(book.used, held, -1);
    map.delete(uid);
  }
  if (requests) {
    addTo(book.used, requests, 1);
    map.set(uid, requests);
  }
}

function observe(book: NodeBook, event: WatchEvent): void {
  const pod = event.object;
  const uid = pod.metadata.uid;
  if (!uid || (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED')) return;
  // Shown bound (or gone): no longer assumed.
  setShare(book, book.assumed, uid, undefined);
  setShare(book, book.bound, uid, event.type !== 'DELETED' && isActive(pod) ? podRequests(pod) : undefined);
}

/** Starts the watch of the node's pods once; the first decision waits for what is bound already. */
function watchNode(ctx: KubeletContext, book: NodeBook): Promise<void> {
  book.watching ??= (async () => {
    const watch: { cancel?: () => void; stopped: boolean } = { stopped: false };
    const onEvent = (event: WatchEvent) => {
      if (watch.stopped) return;
      if (ctx.stopping()) {
        watch.stopped = true;
        books.delete(ctx);
        watch.cancel?.();
        return;
      }
      observe(book, event);
    };
    watch.cancel = await ctx.cluster.watch(resources.pods, { fieldSelector: `spec.nodeName=${ctx.nodeName}`, sharedObjects: true }, onEvent);
    if (watch.stopped) watch.cancel();
  })().catch((err) => {
    book.watching = undefined;
    throw err;
  });
  return book.watching;
}

/** What the pods using the node besides `pod` ask of it. */
async function usageBesides(ctx: KubeletContext, book: NodeBook, pod: KubeObject): Promise<NodeUsage> {
  await watchNode(ctx, book);
  const used = { ...book.used };
  const uid = pod.metadata.uid!;
  const own = book.bound.get(uid) ?? book.assumed.get(uid);
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
  const uid = pod.metadata.uid!;
  if (!book.bound.has(uid)) setShare(book, book.assumed, uid, podRequests(pod));
  return { bind: true };
}

/**
 * Binds a pending pod to this node when its requests fit what the bound pods
 * leave of the node's allocatable, and returns it as bound; otherwise marks
 * it Unschedulable and returns when to try again.
 */
export async function schedulePod(ctx: KubeletContext, pod: KubeObject, node: NodeResources): Promise<KubeObject | number | undefined> {
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
    // The node and PodScheduled in one write, as Kubernetes' pods/binding makes them: one event for every pod watcher.
    bound = await ctx.cluster.update(resources.pods, {
      ...pod,
      spec: { ...pod.spec, nodeName: ctx.nodeName },
      status: { ...(pod.status ?? {}), phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }] },
    }, { withStatus: true, fieldManager: 'kube-scheduler' });
  } catch (err) {
    setShare(book, book.assumed, uid, undefined);
    throw err;
  }
  // Its sync follows in the same reconcile: the binding's event need not wake it again.
  ctx.ownStatusWrites.set(`${pod.metadata.namespace}/${pod.metadata.name}`, bound.metadata.resourceVersion!);
  void recordEvent(ctx.cluster, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${ctx.nodeName}`, 'default-scheduler');
  return bound;
}
