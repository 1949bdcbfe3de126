import type { LogLine } from '../apps/app-log.js';
import type { AppSpec } from '../apps/app-spec.js';
import type { SyncQueue } from '../queue/sync-queue.js';
import type { StateStore } from '../state/state-store.js';
import type { AppPlan, DegradedPlan, RenderPlan } from './plan-app.js';
import { planOutcome } from './plan-outcome.js';
import type { PlannedRenders } from './planned-renders.js';

export interface PlanRecorderOptions {
  state: Pick<StateStore, 'getApps' | 'updateApps'>;
  queue: Pick<SyncQueue, 'enqueueAll'>;
  /** The commit planned. */
  commit: string;
  log: LogLine;
  /** An app's plan is recorded (and its sync queued): the app controller may remember its inputs key. */
  recorded: (app: AppSpec, plan: AppPlan) => void;
  /** Recording an app's plan failed (Redis unavailable): it is planned again. */
  failed: (app: AppSpec, err: unknown) => Promise<void>;
  /** Where a render whose sync is queued is handed to the worker (which then need not render it again). @defaultValue none: the worker renders */
  planned?: PlannedRenders;
  /**
   * Plans recorded in one call to Redis.
   * @defaultValue 256
   */
  batchSize?: number;
  /**
   * Batches in flight at once; `add` waits while there are more.
   * @defaultValue 4
   */
  inFlight?: number;
}

interface Planned<P extends AppPlan = AppPlan> {
  app: AppSpec;
  plan: P;
}

/**
 * Records the plans of one commit's apps in batches while the next apps are
 * planned: a changed app's status goes in one Redis call per batch (1,000
 * calls in a row were most of a commit's planning). An unchanged app costs no
 * write at all: the app controller marks the whole repository observed once
 * (StateStore.markObserved). Changed apps' syncs are queued in the order they
 * were added (dependency order), one batch after another.
 */
export class PlanRecorder {
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private changed: Planned<RenderPlan | DegradedPlan>[] = [];
  private readonly writes = new Set<Promise<void>>();
  /** Changed apps' batches, one after another so their syncs are queued in order. */
  private ordered = Promise.resolve();

  constructor(private readonly options: PlanRecorderOptions) {
    this.batchSize = options.batchSize ?? 256;
    this.maxInFlight = options.inFlight ?? 4;
  }

  /** Takes an app's plan; resolves once there is room for more. */
  async add(app: AppSpec, plan: AppPlan): Promise<void> {
    if (plan.action === 'skip') {
      this.options.recorded(app, plan);
    } else {
      this.changed.push({ app, plan });
      if (this.changed.length >= this.batchSize) this.flushChanged();
    }
    while (this.writes.size >= this.maxInFlight) await Promise.race(this.writes);
  }

  /** Records what is left; resolves once every plan added is recorded or failed. */
  async done(): Promise<void> {
    this.flushChanged();
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  private flushChanged(): void {
    const batch = this.changed;
    this.changed = [];
    if (batch.length === 0) return;
    // track() never rejects, so one failed batch does not stop the ones after it.
    this.ordered = this.track(batch, this.ordered.then(() => this.recordChanged(batch)));
  }

  private track(batch: Planned[], work: Promise<void>): Promise<void> {
    const write: Promise<void> = work
      .catch(async (err: unknown) => {
        await Promise.all(batch.map(({ app }) => this.options.failed(app, err)));
      })
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
    return write;
  }

  private async recordChanged(batch: Planned<RenderPlan | DegradedPlan>[]): Promise<void> {
    const { state, queue, commit, log } = this.options;
    const statuses = await state.getApps(batch.map(({ app }) => app.name));
    const outcomes = batch.map(({ app, plan }, i) => {
      const status = statuses[i];
      return status && planOutcome(app, commit, plan, status);
    });
    await state.updateApps(outcomes.flatMap((outcome, i) => (outcome?.status ? [[batch[i].app.name, outcome.status] as const] : [])));
    const syncs = batch.flatMap(({ app }, i) => {
      const sync = outcomes[i]?.sync;
      return sync === undefined ? [] : [{ app: app.name, revision: commit, trigger: 'poll' as const, message: sync }];
    });
    // Handed over before the job exists, so the worker that takes it finds the render.
    for (const [i, { app, plan }] of batch.entries()) {
      if (outcomes[i]?.sync !== undefined && plan.action === 'render') {
        this.options.planned?.put(app.name, { revision: commit, inputsKey: plan.inputsKey, objects: plan.objects, digest: plan.digest, ...(plan.dropped ? { dropped: plan.dropped } : {}) });
      }
    }
    await queue.enqueueAll(syncs);
    for (const [i, { app, plan }] of batch.entries()) {
      const line = outcomes[i]?.log;
      if (line) log(line, { app: app.name, revision: commit });
      this.options.recorded(app, plan);
    }
  }
}
