import { RetryLaterError } from '../queue/retry-later-error.js';
import type { SyncProcessor } from '../queue/sync-worker.js';
import type { SyncOutcome } from '../queue/sync-job.js';
import type { SyncPorts } from './ports/sync-ports.js';
import { apply } from './steps/apply.js';
import { checkDependencies } from './steps/check-dependencies.js';
import { decideRevision } from './steps/decide-revision.js';
import { findCluster } from './steps/find-cluster.js';
import { guardPrune } from './steps/guard-prune.js';
import { healthGate, recordHealthy } from './steps/health-gate.js';
import { postSyncHooks, preSyncHooks } from './steps/hooks.js';
import { loadApp } from './steps/load-app.js';
import { askPreflight, preflight } from './steps/preflight.js';
import { readStatus } from './steps/read-status.js';
import { render } from './steps/render.js';
import { rollBack } from './steps/roll-back.js';
import { skipWhenInSync } from './steps/skip-when-in-sync.js';
import type { Step, SyncContext } from './sync-context.js';
import { writeConclusion } from './write-conclusion.js';

/** The app sync, in order; each step goes on (undefined) or ends the sync. */
export const SYNC_STEPS: readonly Step[] = [readStatus, decideRevision, loadApp, checkDependencies, findCluster, render, skipWhenInSync, askPreflight, guardPrune, preflight, preSyncHooks, apply, healthGate, postSyncHooks, recordHealthy, rollBack];

/**
 * The app sync reconciler over its ports. A job names an app (and the
 * revision that triggered it); the steps re-read what is desired and what is
 * live, and apply only a difference behind a health gate. The job's signal is
 * checked between steps (and passed into the cluster's apply and gate); what
 * the sync concludes is written once, at the end.
 */
export function reconcileApp(ports: SyncPorts, steps: readonly Step[] = SYNC_STEPS): SyncProcessor<SyncOutcome> {
  return async (request, job) => {
    const ctx = { request, signal: job.signal, name: request.app, startedAt: ports.clock.now(), pruned: [] as SyncContext['pruned'] } as SyncContext;
    for (const step of steps) {
      job.signal.throwIfAborted();
      const result = await step(ctx, ports);
      if (!result) continue;
      if ('retryLater' in result) {
        const { reason, delayMs, status } = result.retryLater;
        if (status) await ports.state.updateApp(ctx.name, status);
        throw new RetryLaterError(reason, { delayMs });
      }
      await writeConclusion(ctx, ports, result.conclude);
      return result.conclude.outcome;
    }
    throw new Error(`sync of ${ctx.name}: no step finished the sync`);
  };
}
