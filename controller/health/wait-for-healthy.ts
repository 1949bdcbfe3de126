import type { KubernetesObject } from '@kubernetes/client-node';
import { classifyApiError, isNotFoundError } from '../clusters/classify-api-error.js';
import { describeObject } from '../clusters/object-ref.js';
import { bounded } from '../clusters/bounded-request.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { knownSecrets } from '../censor/known-secrets.js';
import { diagnosePods, diagnoseWorkload, workloadPods, type PodProblem, type WorkloadWithMeta } from './diagnose-pods.js';
import { judgeSoak, soakSeconds, type SoakMemory, type SoakVerdict } from './pod-soak.js';
import { rolloutStatus, WORKLOAD_KINDS, type ReplicaCounts, type RolloutState } from './rollout-status.js';
import { workloadPath } from './workload-path.js';

export interface WorkloadHealth {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  state: RolloutState['state'] | 'missing';
  message: string;
  /** Pod counts, once the workload's controller has observed its spec. */
  replicas?: ReplicaCounts;
}

export interface WorkloadProblem extends WorkloadHealth {
  /** The pods that keep it from being healthy, and why. */
  pods: PodProblem[];
}

export type HealthGateResult =
  | { healthy: true; workloads: WorkloadHealth[] }
  | {
      healthy: false;
      /** In plain words: which workload, which pod and container, why, and its last log lines. */
      reason: string;
      workloads: WorkloadHealth[];
      problems: WorkloadProblem[];
    };

export interface WaitForHealthyOptions {
  target: ClusterTarget;
  /** The objects just applied; the workloads among them (Deployments, StatefulSets, DaemonSets, ReplicaSets, Pods) are watched. */
  objects: readonly KubernetesObject[];
  /** Give up, and report why, after this long. */
  deadlineSeconds: number;
  /**
   * Namespace of objects that name none.
   * @defaultValue 'default'
   */
  namespace?: string;
  /** Abandons the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called when a workload's rollout state, message (e.g. `1 of 2 updated replicas are available`) or pod counts change. */
  onProgress?: (workload: WorkloadHealth) => void;
  /**
   * Every workload is also re-read this often, so a lost watch cannot stall the gate.
   * @defaultValue 2000
   */
  resyncMs?: number;
}

type Rollout = { state: WorkloadHealth['state']; message: string; replicas?: ReplicaCounts };

interface Tracked {
  health: WorkloadHealth;
  rollout?: Rollout;
  live?: WorkloadWithMeta;
  readError?: unknown;
  /** Once rolled out: what the gate saw of the new pods, and whether they stayed ready long enough. */
  soak?: { memory: SoakMemory; verdict: SoakVerdict };
}

/**
 * The health gate: watches every workload until all are rolled out and
 * available (`kubectl rollout status` rules) and their new pods have stayed
 * Ready, without a restart, for the workload's minReadySeconds (at least
 * MIN_SOAK_SECONDS); or one reports ProgressDeadlineExceeded, or a new pod
 * restarts or leaves Ready, or the deadline passes. A failure comes back with
 * the reason in plain words; a cluster that cannot be read at the end throws
 * a ClusterRequestError instead, since nothing can be judged.
 */
export async function waitForHealthy(options: WaitForHealthyOptions): Promise<HealthGateResult> {
  const { target, signal } = options;
  signal?.throwIfAborted();
  const tracked = new Map<string, Tracked>();
  for (const o of options.objects) {
    // A failure report quotes pod logs: the Secrets of this rollout are censored there (diagnose-pods) and in every log line.
    knownSecrets.addFromObject(o as { kind?: unknown; data?: unknown; stringData?: unknown });
    if (!WORKLOAD_KINDS.has(o.kind ?? '')) continue;
    const namespace = o.metadata?.namespace ?? options.namespace ?? 'default';
    const health: WorkloadHealth = { apiVersion: o.apiVersion ?? 'v1', kind: o.kind!, namespace, name: o.metadata?.name ?? '', state: 'progressing', message: 'waiting for status' };
    tracked.set(`${health.kind}/${namespace}/${health.name}`, { health });
  }
  if (tracked.size === 0) return { healthy: true, workloads: [] };

  const stops: AbortController[] = [];
  const timers: NodeJS.Timeout[] = [];
  let settled = false;
  let wake: () => void = () => undefined;

  const observe = (key: string, live: WorkloadWithMeta | undefined) => {
    const entry = tracked.get(key)!;
    // A read and the watch race on separate connections: never let the older answer win.
    if (live && entry.live && isOlder(live, entry.live)) return;
    entry.live = live;
    entry.readError = undefined;
    entry.rollout = live ? rolloutStatus(live) : { state: 'missing', message: 'does not exist' };
    publish(entry);
    wake();
  };

  const publish = (entry: Tracked) => {
    const next = gateState(entry);
    if (next.state !== entry.health.state || next.message !== entry.health.message || !sameCounts(next.replicas, entry.health.replicas)) {
      const { apiVersion, kind, namespace, name } = entry.health;
      entry.health = { apiVersion, kind, namespace, name, state: next.state, message: next.message, ...(next.replicas ? { replicas: next.replicas } : {}) };
      options.onProgress?.(entry.health);
    }
  };

  // From the moment a workload is first rolled out, its new pods are read on every pass: a restart or a pod leaving Ready fails the gate.
  const judgeSoaks = async () => {
    await Promise.all(
      [...tracked.values()].map(async (entry) => {
        if (!entry.live || (!entry.soak && entry.rollout?.state !== 'done')) return;
        let pods;
        try {
          pods = await bounded(workloadPods(target, entry.live), { signal });
        } catch {
          return; // unreadable pods prove nothing either way: judged on the next pass
        }
        const judged = judgeSoak(pods, entry.soak?.memory ?? new Map(), Date.now(), soakSeconds(entry.live) * 1000);
        entry.soak = judged;
        publish(entry);
      }),
    );
  };

  const readAll = async () => {
    await Promise.all(
      [...tracked.entries()].map(async ([key, { health }]) => {
        try {
          const header = { apiVersion: health.apiVersion, kind: health.kind, metadata: { name: health.name, namespace: health.namespace } };
          const live = await bounded(target.objects.read(header), { signal });
          observe(key, live as WorkloadWithMeta);
        } catch (err) {
          if (isNotFoundError(err)) observe(key, undefined);
          else tracked.get(key)!.readError = err;
        }
      }),
    );
  };

  const startWatch = (key: string) => {
    if (settled) return;
    const { health } = tracked.get(key)!;
    const restart = () => {
      if (!settled) timers.push(setTimeout(() => startWatch(key), 1000));
    };
    target.watch
      .watch(
        workloadPath(health),
        { fieldSelector: `metadata.name=${health.name}` },
        (type, object) => {
          if (settled) return;
          if (type === 'ADDED' || type === 'MODIFIED') observe(key, object);
          else if (type === 'DELETED') observe(key, undefined);
        },
        restart,
      )
      .then((stop) => (settled ? stop.abort() : stops.push(stop)), restart);
  };

  try {
    for (const key of tracked.keys()) startWatch(key);
    await readAll();
    const deadline = Date.now() + options.deadlineSeconds * 1000;
    const resyncMs = options.resyncMs ?? 2000;
    for (;;) {
      signal?.throwIfAborted();
      await judgeSoaks();
      const all = [...tracked.values()];
      if (all.every((e) => e.health.state === 'done')) return { healthy: true, workloads: all.map((e) => e.health) };
      const failed = all.filter((e) => e.health.state === 'failed');
      // The deadline is for rolling out: workloads rolled out in time, all their pods Ready, get their full soak (and no more).
      const graceEnds = (e: Tracked) => deadline + (e.live ? soakSeconds(e.live) * 1000 : 0) + resyncMs;
      const soakingToTheEnd = all.every(
        (e) => e.health.state === 'done' || (e.rollout?.state === 'done' && e.soak?.verdict.state === 'soaking' && e.soak.verdict.until !== undefined && Date.now() < graceEnds(e)),
      );
      const timedOut = Date.now() >= deadline && !soakingToTheEnd;
      if (failed.length || timedOut) {
        if (!failed.length) {
          await readAll();
          await judgeSoaks();
        }
        const unreadable = all.find((e) => e.readError !== undefined);
        if (unreadable && !failed.length) throw classifyApiError(unreadable.readError, target.name, unreadable.health, 'read');
        const still = [...tracked.values()];
        if (still.every((e) => e.health.state === 'done')) return { healthy: true, workloads: still.map((e) => e.health) };
        return await failure(target, still, options.deadlineSeconds, failed.length > 0);
      }
      // A soak about to be satisfied is looked at again then, not a resync later.
      const soakEnds = all.map((e) => (e.soak?.verdict.state === 'soaking' ? e.soak.verdict.until : undefined)).filter((t) => t !== undefined);
      const toDeadline = deadline - Date.now();
      const wakeIn = Math.min(resyncMs, ...(toDeadline > 0 ? [toDeadline] : []), ...soakEnds.map((t) => Math.max(100, t - Date.now() + 50)));
      const byWatch = await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(() => finish(false), wakeIn);
        function finish(woken: boolean) {
          clearTimeout(timer);
          signal?.removeEventListener('abort', aborted);
          wake = () => undefined;
          resolve(woken);
        }
        function aborted() {
          clearTimeout(timer);
          wake = () => undefined;
          reject(signal!.reason);
        }
        wake = () => finish(true);
        signal?.addEventListener('abort', aborted, { once: true });
      });
      // Woken by a watch event the state is fresh; a timer tick re-reads, in case a watch was lost.
      if (!byWatch) await readAll();
    }
  } finally {
    settled = true;
    for (const stop of stops) stop.abort();
    for (const timer of timers) clearTimeout(timer);
  }
}

/**
 * What the gate reports for a workload: its rollout state until it is rolled
 * out, then progressing while its new pods soak, done once they have stayed
 * ready, failed when one of them did not.
 */
function gateState(entry: Tracked): Rollout {
  const rollout = entry.rollout ?? { state: 'progressing', message: 'waiting for status' };
  const verdict = entry.soak?.verdict;
  const soak = entry.live ? soakSeconds(entry.live) : 0;
  if (verdict?.state === 'failed') return { state: 'failed', message: `rolled out, but its new pods did not stay ready for ${soak}s: ${verdict.message}` };
  if (rollout.state !== 'done' || verdict?.state === 'soaked') return rollout;
  const waiting = verdict?.message ?? `checking that the pods stay ready for ${soak}s`;
  return { ...rollout, state: 'progressing', message: `${rollout.message}; ${waiting}` };
}

async function failure(target: ClusterTarget, entries: readonly Tracked[], deadlineSeconds: number, failedEarly: boolean): Promise<HealthGateResult> {
  const problems: WorkloadProblem[] = [];
  for (const { health, live, soak } of entries) {
    if (health.state === 'done') continue;
    if (failedEarly && health.state !== 'failed') continue;
    const pods = live ? await diagnose(target, live, soak?.verdict).catch(() => []) : [];
    problems.push({ ...health, pods });
  }
  return { healthy: false, reason: describeFailure(problems, deadlineSeconds), workloads: entries.map((e) => e.health), problems };
}

/** The pods to quote: those that did not stay ready, when that is why the workload failed; else those not ready. */
async function diagnose(target: ClusterTarget, live: WorkloadWithMeta, verdict: SoakVerdict | undefined): Promise<PodProblem[]> {
  if (verdict?.state !== 'failed') return diagnoseWorkload(target, live);
  const names = new Set(verdict.pods.map((p) => p.pod));
  const pods = (await workloadPods(target, live)).filter((p) => names.has(p.metadata?.name ?? ''));
  return diagnosePods(target, pods);
}

/**
 * Whether `a` is an older version of the object than `b`. resourceVersions
 * are opaque to clients, but every API server in use (etcd revisions, the
 * built-in store) makes them increasing integers; anything else compares as not older.
 */
function isOlder(a: WorkloadWithMeta, b: WorkloadWithMeta): boolean {
  const ra = a.metadata?.resourceVersion;
  const rb = b.metadata?.resourceVersion;
  if (!ra || !rb || !/^\d+$/.test(ra) || !/^\d+$/.test(rb) || a.metadata?.uid !== b.metadata?.uid) return false;
  return BigInt(ra) < BigInt(rb);
}

function sameCounts(a: ReplicaCounts | undefined, b: ReplicaCounts | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.desired === b.desired && a.updated === b.updated && a.ready === b.ready);
}

/** One paragraph per failing workload: what it says, then each failing pod and its last log lines. */
export function describeFailure(problems: readonly WorkloadProblem[], deadlineSeconds: number): string {
  return problems
    .map((p) => {
      const what = describeObject(p);
      const head =
        p.state === 'missing'
          ? `${what} does not exist`
          : p.state === 'failed'
            ? `${what} ${p.message}`
            : `${what} did not become healthy within ${deadlineSeconds}s (${p.message})`;
      const lines = [head];
      for (const pod of p.pods) {
        lines.push(`pod ${pod.pod}: ${pod.message}`);
        if (pod.logTail.length) {
          lines.push(`last log lines of ${pod.pod}${pod.container ? `/${pod.container}` : ''}:`);
          for (const line of pod.logTail) lines.push(`  ${line}`);
        }
      }
      return lines.join('\n');
    })
    .join('\n\n');
}
