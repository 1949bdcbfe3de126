import type { V1Pod } from '@kubernetes/client-node';

/**
 * The least time a new revision's pods must stay Ready, without a restart,
 * before the gate calls the revision healthy: a server that answers its
 * readiness probe and exits a few seconds later must not pass.
 */
export const MIN_SOAK_SECONDS = 5;

/** How long the gate watches a workload's pods stay Ready: its `minReadySeconds`, at least MIN_SOAK_SECONDS. */
/**
 * How long a pod that left Ready with every container still running is given
 * to show why: a probe can fail on a server that has just exited before the
 * kubelet has recorded the exit, and the exit code is what a user needs.
 */
export const SETTLE_MS = 2000;

export function soakSeconds(workload: { spec?: { minReadySeconds?: number } }): number {
  return Math.max(workload.spec?.minReadySeconds ?? 0, MIN_SOAK_SECONDS);
}

/** What the gate remembers of one pod between reads. */
export interface PodMemory {
  /** Each container's restart count when the gate first saw the pod. */
  restarts: Record<string, number>;
  /** The Ready condition's lastTransitionTime when the gate first saw the pod Ready. */
  readyTransition?: string;
  /** When the pod became Ready (ms since the epoch), once the gate has seen it Ready. */
  readySince?: number;
  /** When the gate first saw the pod not Ready again with its containers still running (ms since the epoch). */
  settlingSince?: number;
}

/** Pods remembered by uid (or name, for pods without one). */
export type SoakMemory = ReadonlyMap<string, PodMemory>;

export interface PodSoakFailure {
  pod: string;
  container?: string;
  /** What it did, after the pod's name: e.g. `restarted container web 1 time`, `stopped being ready 3s after it became ready`. */
  message: string;
}

export type SoakVerdict =
  | { state: 'soaked' }
  /** `until`: the earliest moment the soak can be satisfied, when every pod is Ready (or a pod settling after it left Ready shows why). */
  | { state: 'soaking'; message: string; until?: number }
  | { state: 'failed'; message: string; pods: PodSoakFailure[] };

/**
 * Judges a workload's current pods against what the gate saw of them before:
 * soaked when each has been Ready for `soakMs` (by its Ready condition's
 * lastTransitionTime); failed as soon as one restarts a container, fails, or
 * leaves Ready after the gate saw it Ready (after up to SETTLE_MS to show an
 * exit, while its containers still look running). Pure: returns the memory to keep.
 */
export function judgeSoak(
  pods: readonly V1Pod[],
  memory: SoakMemory,
  now: number,
  soakMs: number,
): { verdict: SoakVerdict; memory: Map<string, PodMemory> } {
  const next = new Map<string, PodMemory>();
  const failures: PodSoakFailure[] = [];
  let soaked = 0;
  let until: number | undefined = now;
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  for (const pod of live) {
    const name = pod.metadata?.name ?? '';
    const key = pod.metadata?.uid ?? name;
    const restarts = restartCounts(pod);
    const first: PodMemory = memory.get(key) ?? { restarts };
    const seen: PodMemory = { ...first };
    next.set(key, seen);

    const restarted = Object.entries(restarts).filter(([c, n]) => n > (first.restarts[c] ?? 0));
    for (const [container, n] of restarted) {
      const more = n - (first.restarts[container] ?? 0);
      failures.push({ pod: name, container, message: `restarted container ${container} ${more} ${more === 1 ? 'time' : 'times'}` });
    }
    if (restarted.length) continue;
    if (pod.status?.phase === 'Succeeded') {
      soaked += 1;
      continue;
    }
    if (pod.status?.phase === 'Failed') {
      failures.push({ pod: name, message: `failed${pod.status.reason ? ` (${pod.status.reason})` : ''}` });
      continue;
    }
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    const isReady = ready?.status === 'True';
    const transition = ready?.lastTransitionTime === undefined ? undefined : String(toIso(ready.lastTransitionTime));
    if (first.readySince !== undefined) {
      if (!isReady) {
        const settlingSince = first.settlingSince ?? now;
        if (allRunning(pod) && now - settlingSince < SETTLE_MS) {
          seen.settlingSince = settlingSince;
          // Looked at again when the settle ends, even past the rollout's deadline: the gate then says why.
          if (until !== undefined) until = Math.max(until, settlingSince + SETTLE_MS);
          continue;
        }
        const leftAt = transition === undefined || Number.isNaN(Date.parse(transition)) ? now : Date.parse(transition);
        const held = Math.max(0, Math.round((leftAt - first.readySince) / 1000));
        failures.push({ pod: name, message: `stopped being ready ${held}s after it became ready` });
        continue;
      }
      if (transition !== undefined && first.readyTransition !== undefined && transition !== first.readyTransition) {
        failures.push({ pod: name, message: 'stopped being ready, then became ready again' });
        continue;
      }
    } else if (isReady) {
      const at = transition === undefined ? NaN : Date.parse(transition);
      // A cluster clock ahead of ours must not make a pod look ready since the future.
      seen.readySince = Number.isNaN(at) ? now : Math.min(at, now);
      seen.readyTransition = transition;
    }
    if (!isReady || seen.readySince === undefined) {
      until = undefined;
      continue;
    }
    if (now - seen.readySince >= soakMs) soaked += 1;
    else if (until !== undefined) until = Math.max(until, seen.readySince + soakMs);
  }
  if (failures.length) return { verdict: { state: 'failed', message: failures.map((f) => `pod ${f.pod} ${f.message}`).join('; '), pods: failures }, memory: next };
  if (soaked === live.length) return { verdict: { state: 'soaked' }, memory: next };
  const message = `checking that the pods stay ready for ${Math.round(soakMs / 1000)}s`;
  return { verdict: until === undefined ? { state: 'soaking', message } : { state: 'soaking', message, until }, memory: next };
}

/** Whether the pod reports each of its containers running: nothing has yet told why it is not ready. */
function allRunning(pod: V1Pod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return statuses.length > 0 && statuses.every((cs) => cs.state?.running !== undefined);
}

function restartCounts(pod: V1Pod): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) counts[cs.name] = cs.restartCount ?? 0;
  return counts;
}

/** client-node parses timestamps into Dates; a watch's plain JSON leaves them strings. */
function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}
