import type { WorkloadHealth } from './wait-for-healthy.js';

/** One object as applyObjects reports it (its AppliedObject fits). */
export interface AppliedObjectRef {
  kind: string;
  namespace?: string;
  name: string;
  action: string;
}

/** `sync.applied`: one object of the rollout was written to the cluster. */
export interface SyncAppliedData {
  phase: 'sync' | 'rollback';
  /** Objects applied so far in this phase (pruned ones not counted), and how many there are. */
  applied: number;
  total: number;
  object: AppliedObjectRef;
}

/** `sync.progress`: a workload's rollout moved (state, message or pod counts). */
export interface SyncProgressData {
  phase: 'sync' | 'rollback';
  workload: WorkloadHealth;
}

export interface SyncProgressOptions {
  /** Where events go: the state event stream (a StateStore fits). */
  events: { publish(event: { type: string; app: string; data: unknown }): Promise<unknown> };
  app: string;
  /** How many objects this phase applies, for `3 of 7 applied`. */
  objects: number;
  /** `sync` while the new revision rolls out, `rollback` while the last healthy one is put back. @defaultValue 'sync' */
  phase?: 'sync' | 'rollback';
}

export interface SyncProgress {
  /** Give as `onProgress` to applyObjects (or `onApplied` to rollbackTo). */
  applied: (object: AppliedObjectRef) => void;
  /** Give as `onProgress` to waitForHealthy (or rollbackTo). */
  workload: (workload: WorkloadHealth) => void;
  /** Resolves once every event so far has been published (or failed to be). */
  flush: () => Promise<void>;
}

/** `sync.applied` events of applied (not pruned) objects go out at most this often; the latest one waits for its turn. */
const APPLIED_EVERY_MS = 100;

/**
 * Publishes a rollout's progress as `sync.applied` and `sync.progress` events,
 * for `baton sync --wait` and the dashboard. Events go out one at a time, in
 * order; a failed publish is dropped, never failing the sync it describes.
 * Applied objects of a large app come faster than events can be published:
 * only the latest count goes out every APPLIED_EVERY_MS (pruned objects and
 * workloads always do), and the last one always goes out before anything
 * after it and on `flush`.
 */
export function syncProgress(options: SyncProgressOptions): SyncProgress {
  const phase = options.phase ?? 'sync';
  let applied = 0;
  let chain: Promise<void> = Promise.resolve();
  let held: SyncAppliedData | undefined;
  let timer: NodeJS.Timeout | undefined;
  let appliedSentAt = -Infinity;
  const send = (type: string, data: SyncAppliedData | SyncProgressData) => {
    chain = chain.then(
      () => options.events.publish({ type, app: options.app, data }).then(() => undefined),
    ).catch(() => undefined);
  };
  const release = () => {
    clearTimeout(timer);
    timer = undefined;
    if (held === undefined) return;
    const data = held;
    held = undefined;
    appliedSentAt = Date.now();
    send('sync.applied', data);
  };
  return {
    applied(object) {
      if (object.action !== 'pruned') applied += 1;
      const { kind, namespace, name, action } = object;
      const data: SyncAppliedData = { phase, applied, total: Math.max(options.objects, applied), object: { kind, ...(namespace ? { namespace } : {}), name, action } };
      if (action === 'pruned') {
        release();
        send('sync.applied', data);
        return;
      }
      held = data;
      const wait = appliedSentAt + APPLIED_EVERY_MS - Date.now();
      if (wait <= 0) release();
      else if (timer === undefined) timer = setTimeout(release, wait).unref();
    },
    workload(workload) {
      release();
      send('sync.progress', { phase, workload });
    },
    flush: () => {
      release();
      return chain;
    },
  };
}
