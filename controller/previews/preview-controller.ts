import { startReconcileLoop, type ReconcileLoop } from '../../runtime/kube/reconcile/reconcile-loop.js';
import { done, type ReconcileResult } from '../../runtime/kube/reconcile/reconcile-result.js';
import type { LogLine } from '../apps/app-log.js';
import type { WebhookEvent, WebhookPullRequest } from '../edges/webhooks/webhook-event.js';
import { closePreview } from './close-preview.js';
import { deployPreview } from './deploy-preview.js';
import type { PreviewDecision } from './preview-decision.js';
import type { PreviewDeps } from './preview-deps.js';
import type { PreviewRecord } from './preview-record.js';
import { removePreview } from './remove-preview.js';
import { sweepPreviews } from './sweep-previews.js';

export type { PreviewDecision } from './preview-decision.js';

export interface PreviewControllerOptions extends Omit<PreviewDeps, 'log'> {
  /** A preview with no event for this long is removed. @defaultValue 7 days */
  ttlMs?: number;
  /** Most previews at once; opening one more removes the longest idle. @defaultValue 10 */
  maxPreviews?: number;
  /** Receives one line per decision worth telling a person (with the app, for a line about one). @defaultValue nothing is logged */
  log?: LogLine;
  /** Requests whose events are handled at once (each request's events in order). @defaultValue 16 */
  concurrency?: number;
}

interface PendingEvent {
  event: WebhookEvent;
  pr: WebhookPullRequest;
  answer(decision: PreviewDecision): void;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Pull/merge request previews: an opened, reopened, updated or labelled
 * request gets (or refreshes) namespace `pr-N` with every preview-enabled app
 * of its head, each synced through the same queue, health gate and rollback
 * as any app (the worker builds the preview spec again from the head, see
 * controller/sync/sync-app.ts). Closing or merging deletes the namespace and
 * everything in it; `sweep()` removes idle previews, previews over the cap and
 * namespaces left behind by a crash. Each step is its own file: deploy-preview
 * (after admit-preview-request), close-preview, remove-preview, sweep-previews.
 */
export class PreviewController {
  private readonly deps: PreviewDeps;
  private readonly ttlMs: number;
  private readonly maxPreviews: number;
  /** Events not yet handled, per request number: the reconcile loop's key. */
  private readonly inbox = new Map<number, PendingEvent[]>();
  /** Events of one request are handled in order (a key is never reconciled twice at once); different requests in parallel. */
  private readonly loop: ReconcileLoop;

  constructor(options: PreviewControllerOptions) {
    const { store, state, queue, registry, poller, clusters } = options;
    this.deps = { store, state, queue, registry, poller, clusters, log: options.log ?? (() => undefined) };
    this.ttlMs = options.ttlMs ?? 7 * DAY_MS;
    this.maxPreviews = options.maxPreviews ?? 10;
    this.loop = startReconcileLoop({ name: 'previews', concurrency: options.concurrency ?? 16, reconcile: (key) => this.reconcile(Number(key)) });
  }

  /** Acts on a verified pull/merge request event; other events are not its business. */
  handle(event: WebhookEvent): Promise<PreviewDecision | undefined> {
    const pr = event.pullRequest;
    if (event.kind !== 'pull_request' || !pr) return Promise.resolve(undefined);
    return new Promise((answer) => {
      const pending = this.inbox.get(pr.number) ?? [];
      pending.push({ event, pr, answer });
      this.inbox.set(pr.number, pending);
      this.loop.enqueue(String(pr.number));
    });
  }

  /** Resolves once every event handed over so far has been handled (tests). */
  async idle(): Promise<void> {
    await this.loop.idle();
  }

  /** Handles the request's waiting events, oldest first, each answered with its own decision. */
  private async reconcile(number: number): Promise<ReconcileResult> {
    for (let next = this.inbox.get(number)?.shift(); next; next = this.inbox.get(number)?.shift()) {
      next.answer(await this.handleInOrder(next.event, next.pr));
    }
    this.inbox.delete(number);
    return done;
  }

  private async handleInOrder(event: WebhookEvent, pr: WebhookPullRequest): Promise<PreviewDecision> {
    try {
      if (pr.action === 'closed' || pr.action === 'merged') return await closePreview(this.deps, event, pr);
      return await deployPreview(this.deps, this.maxPreviews, event, pr);
    } catch (err) {
      const reason = `preview of #${pr.number} failed: ${(err as Error).message}`;
      this.deps.log(reason);
      return { action: 'ignored', number: pr.number, reason, retry: true };
    }
  }

  /** Removes the preview of request `number`: its record, its apps' state, its namespace (and so its pods). */
  remove(number: number, why: string): Promise<boolean> {
    return removePreview(this.deps, number, why);
  }

  /**
   * Removes previews idle longer than the TTL, previews over the cap (the
   * longest idle first) and preview namespaces no open request owns (left
   * by a crash between a close and its cleanup). Returns the numbers removed.
   */
  sweep(now = Date.now()): Promise<number[]> {
    return sweepPreviews(this.deps, { ttlMs: this.ttlMs, maxPreviews: this.maxPreviews }, now);
  }

  /** Every open preview, oldest activity first. */
  list(): Promise<PreviewRecord[]> {
    return this.deps.store.list();
  }
}
