import type { KubernetesObject } from '@kubernetes/client-node';
import { PatchStrategy } from '../clusters/kube-client.js';
import { startReconcileLoop, type ReconcileLoop } from '../../runtime/kube/reconcile/reconcile-loop.js';
import { done, type ReconcileResult } from '../../runtime/kube/reconcile/reconcile-result.js';
import type { LogLine } from '../apps/app-log.js';
import type { AppSpec } from '../apps/app-spec.js';
import { DEFAULT_PREVIEW_SETTINGS } from '../apps/preview-settings.js';
import { isNotFoundError } from '../clusters/classify-api-error.js';
import { pruneObjects } from '../apply/prune-objects.js';
import type { ClusterTargets } from '../clusters/cluster-target.js';
import type { SyncQueue } from '../queue/sync-queue.js';
import { SourceError } from '../source/source-error.js';
import type { SourcePoller } from '../source/source-poller.js';
import type { AppOrigin } from '../state/app-status.js';
import type { StateStore } from '../state/state-store.js';
import { readAppConfig } from '../apps/read-app-config.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import type { SyncRegistry } from '../state/sync-registry.js';
import type { WebhookEvent, WebhookPullRequest } from '../edges/webhooks/webhook-event.js';
import { applyPreviewBridges } from './preview-bridges.js';
import { bindApproval } from './preview-approval.js';
import { previewGate } from './preview-gate.js';
import { previewNamespace } from '../apps/preview-names.js';
import { PREVIEW_LABEL, previewNamespaceObject } from '../plan/preview-transform.js';
import type { PreviewRecord } from './preview-record.js';
import { previewAppSpec } from './preview-spec.js';
import type { PreviewStore } from './preview-store.js';

export interface PreviewControllerOptions {
  store: PreviewStore;
  state: StateStore;
  queue: Pick<SyncQueue, 'enqueue'>;
  registry: Pick<SyncRegistry, 'repository'>;
  poller: Pick<SourcePoller, 'match' | 'repository'>;
  clusters: ClusterTargets;
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

/** What happened to a request's event, for the webhook's answer and the logs. */
export type PreviewDecision =
  | { action: 'deployed'; number: number; apps: string[] }
  | { action: 'removed'; number: number }
  /** `retry`: it may work later without a new event (repository not read yet, cluster or Git unavailable). */
  | { action: 'ignored'; number: number; reason: string; retry?: boolean };

const DAY_MS = 24 * 3600 * 1000;

/**
 * Pull/merge request previews: an opened, reopened, updated or labelled
 * request gets (or refreshes) namespace `pr-N` with every preview-enabled app
 * of its head, each synced through the same queue, health gate and rollback
 * as any app (the worker builds the preview spec again from the head, see
 * controller/sync/sync-app.ts). Closing or merging deletes the namespace and
 * everything in it; `sweep()` removes idle previews, previews over the cap and
 * namespaces left behind by a crash.
 */
export class PreviewController {
  private readonly log: LogLine;
  private readonly ttlMs: number;
  private readonly maxPreviews: number;
  /** Events not yet handled, per request number: the reconcile loop's key. */
  private readonly inbox = new Map<number, PendingEvent[]>();
  /** Events of one request are handled in order (a key is never reconciled twice at once); different requests in parallel. */
  private readonly loop: ReconcileLoop;

  constructor(private readonly options: PreviewControllerOptions) {
    this.log = options.log ?? (() => undefined);
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
      if (pr.action === 'closed' || pr.action === 'merged') {
        // Numbers are per repository: another repository's request #N closing (an organisation's hook sends them all) is not this one's.
        const record = await this.options.store.get(pr.number);
        if (record && !event.repoUrls.some((url) => this.options.poller.match(url).includes(record.repository))) {
          const reason = `a request #${pr.number} of ${event.repoUrls[0] ?? 'another repository'} was ${pr.action}; the preview of ${record.repository}'s #${pr.number} stays`;
          this.log(`#${pr.number}: ${reason}`);
          return { action: 'ignored', number: pr.number, reason };
        }
        // A merged request never reopens: its approval is of no more use. A closed one may reopen, held to it.
        if (pr.action === 'merged') for (const repoId of event.repoUrls.flatMap((url) => this.options.poller.match(url))) await this.options.store.deleteApproval(repoId, pr.number);
        const removed = await this.remove(pr.number, `request ${pr.action}`);
        return removed ? { action: 'removed', number: pr.number } : { action: 'ignored', number: pr.number, reason: 'no preview was open' };
      }
      return await this.deploy(event, pr);
    } catch (err) {
      const reason = `preview of #${pr.number} failed: ${(err as Error).message}`;
      this.log(reason);
      return { action: 'ignored', number: pr.number, reason, retry: true };
    }
  }

  private async deploy(event: WebhookEvent, pr: WebhookPullRequest): Promise<PreviewDecision> {
    const ignored = (reason: string, retry = false): PreviewDecision => {
      this.log(`#${pr.number}: ${reason}`);
      return { action: 'ignored', number: pr.number, reason, ...(retry ? { retry } : {}) };
    };
    const repoId = event.repoUrls.flatMap((url) => this.options.poller.match(url))[0];
    if (!repoId) return ignored(`no followed repository is ${event.repoUrls[0] ?? 'named by the event'}`);
    const source = this.options.poller.repository(repoId);
    const registered = await this.options.registry.repository(repoId);
    if (!source || !registered?.revision) return ignored('its repository has not been read yet', true);
    const known = await this.options.store.get(pr.number);

    // The followed branch's baton.yaml, never the head's, says which requests deploy and what an app's preview may reach.
    const followed = await readAppConfig(source.tree(registered.revision), repoId);
    const settings = followed.ok ? followed.previews : DEFAULT_PREVIEW_SETTINGS;
    // A label seen gone revokes its approval: only adding it again approves a head.
    const recorded = await this.options.store.getApproval(repoId, pr.number);
    if (recorded && !pr.labels.includes(recorded.label)) await this.options.store.deleteApproval(repoId, pr.number);
    const gate = previewGate(settings, pr);
    // The preview that runs keeps running; nothing new of the request is deployed.
    if (!gate.deploy) return ignored(known ? `${gate.reason}; the preview keeps running ${shortRevision(known.headSha)}` : gate.reason);
    const labelEvent = pr.action === 'labeled' || pr.action === 'unlabeled';
    const approves = gate.byLabel && (pr.labelChange?.added.includes(settings.forkLabel) ?? false);
    // A label event for a request baton does not preview matters only for the gate (forks, previews.require).
    if (labelEvent && known && !approves) return ignored('already previewed; a label changes nothing');

    const bound = gate.byLabel ? bindApproval(settings.forkLabel, pr, recorded, known?.headSha, new Date().toISOString()) : undefined;
    if (bound?.held) {
      // Held and new only when bound to the head a preview already runs: the request exists.
      if (bound.fresh) await this.options.store.putApproval(repoId, pr.number, bound.approval);
      return ignored(known ? `${bound.held}; the preview keeps running ${shortRevision(known.headSha)}` : bound.held);
    }
    const approval = bound?.approval;

    // The request must exist where the provider keeps it: a made-up number names no ref, and makes nothing.
    let head: string;
    try {
      head = await source.resolveRef(pr.headFetchRef);
    } catch (err) {
      if (err instanceof SourceError && (err.code === 'REF_NOT_FOUND' || err.code === 'INVALID_SPEC')) {
        return ignored(`${pr.headFetchRef} does not exist in ${source.url}: there is no such request; no preview was made`);
      }
      throw err;
    }
    if (bound?.fresh) await this.options.store.putApproval(repoId, pr.number, bound.approval);
    // A label-gated request deploys the approved head, even when the request has moved on since.
    if (approval && head !== approval.sha) {
      try {
        head = await source.resolveRef(approval.sha);
      } catch (err) {
        if (!(err instanceof SourceError)) throw err;
        return ignored(`the head the label "${approval.label}" approved, ${shortRevision(approval.sha)}, is not in ${source.url} (${err.message}): not deployed until a maintainer adds the label again`);
      }
    }
    const config = await readAppConfig(source.tree(head), repoId);
    if (!config.ok) return ignored(`baton.yaml at ${shortRevision(head)} has errors; no preview:\n${config.errors.join('\n')}`);
    const enabled = config.apps.filter((a) => a.preview.enabled);
    if (enabled.length === 0) return ignored(`no app has preview.enabled at ${shortRevision(head)}`);
    const previewed = new Set(enabled.map((a) => a.name));
    const declared = (name: string) => (followed.ok ? followed.apps.find((a) => a.name === name) : undefined);
    const specs = enabled.map((a) => previewAppSpec(a, { number: pr.number, branch: pr.headRef, sha: head }, previewed, declared(a.name)));

    const now = new Date().toISOString();
    const record: PreviewRecord = {
      number: pr.number,
      repository: repoId,
      provider: event.provider,
      ...(event.repoPath ? { repoPath: event.repoPath } : {}),
      title: pr.title,
      author: pr.author,
      branch: pr.headRef,
      headFetchRef: pr.headFetchRef,
      headSha: head,
      requestUrl: pr.url,
      fromFork: pr.fromFork,
      labels: pr.labels,
      ...(approval ? { approval } : {}),
      apps: specs.map((s) => s.name),
      openedAt: known?.openedAt ?? now,
      updatedAt: now,
    };
    await this.makeRoom(pr.number);
    await this.options.store.put(record);
    for (const gone of (known?.apps ?? []).filter((name) => !record.apps.includes(name))) await this.forgetApp(gone, pr.number);
    await this.prepareNamespace(record, specs);
    for (const [i, spec] of specs.entries()) {
      // The origin is recorded with the app: the sync, the API and commit statuses read it, never the name.
      const origin: AppOrigin = { kind: 'preview', number: pr.number, app: enabled[i].name };
      await this.options.state.ensureApp({ ...spec, origin });
      await this.options.queue.enqueue({ app: spec.name, revision: head, trigger: 'webhook', message: `pull request #${pr.number} at ${shortRevision(head)}` });
    }
    this.log(`#${pr.number}: preview of ${enabled.map((a) => a.name).join(', ')} at ${shortRevision(head)} queued into namespace ${previewNamespace(pr.number)}`);
    return { action: 'deployed', number: pr.number, apps: record.apps };
  }

  /** The namespace (marked as the preview's) and the bridges to production, before any pod of the preview starts. */
  private async prepareNamespace(record: PreviewRecord, specs: readonly AppSpec[]): Promise<void> {
    for (const cluster of new Set(specs.map((s) => s.cluster))) {
      const target = this.options.clusters.get(cluster);
      await target.objects.patch(previewNamespaceObject(record.number) as KubernetesObject, undefined, undefined, 'baton-previews', true, PatchStrategy.ServerSideApply);
      const bridged = await applyPreviewBridges({ target, number: record.number, previews: specs.filter((s) => s.cluster === cluster), state: this.options.state });
      if (bridged.length > 0) this.log(`#${record.number}: bridged to production: ${bridged.join('; ')}`);
    }
  }

  /** Removes the preview of request `number`: its record, its apps' state, its namespace (and so its pods). */
  async remove(number: number, why: string): Promise<boolean> {
    const record = await this.options.store.get(number);
    // The record goes first: a sync of the preview that starts now finds it closed.
    const existed = await this.options.store.delete(number);
    const clusters = new Set<string>();
    for (const name of record?.apps ?? []) {
      const status = await this.options.state.getApp(name);
      if (status) clusters.add(status.cluster);
      await this.options.state.deleteApp(name);
    }
    if (clusters.size === 0) clusters.add('local');
    for (const cluster of clusters) await this.deleteNamespace(cluster, number);
    if (existed) this.log(`#${number}: preview removed (${why}); namespace ${previewNamespace(number)} is being deleted`);
    return existed;
  }

  /**
   * Removes previews idle longer than the TTL, previews over the cap (the
   * longest idle first) and preview namespaces no open request owns (left
   * by a crash between a close and its cleanup). Returns the numbers removed.
   */
  async sweep(now = Date.now()): Promise<number[]> {
    const removed: number[] = [];
    const open = await this.options.store.list();
    for (const record of open) {
      if (now - Date.parse(record.updatedAt) > this.ttlMs) {
        await this.remove(record.number, `idle since ${record.updatedAt}`);
        removed.push(record.number);
      }
    }
    const left = open.filter((r) => !removed.includes(r.number));
    for (const record of left.slice(0, Math.max(0, left.length - this.maxPreviews))) {
      await this.remove(record.number, `more than ${this.maxPreviews} previews are open`);
      removed.push(record.number);
    }
    const owned = new Set(left.map((r) => r.number));
    for (const number of await this.previewNamespaces('local')) {
      if (owned.has(number) || removed.includes(number)) continue;
      this.log(`#${number}: namespace ${previewNamespace(number)} has no open request; deleting it`);
      await this.deleteNamespace('local', number);
      removed.push(number);
    }
    return removed;
  }

  /** Every open preview, oldest activity first. */
  list(): Promise<PreviewRecord[]> {
    return this.options.store.list();
  }

  /** Opening a preview beyond the cap removes the longest idle ones first. */
  private async makeRoom(number: number): Promise<void> {
    const others = (await this.options.store.list()).filter((r) => r.number !== number);
    for (const record of others.slice(0, Math.max(0, others.length - (this.maxPreviews - 1)))) {
      await this.remove(record.number, `more than ${this.maxPreviews} previews would be open`);
    }
  }

  /** An app whose preview was turned off at the new head: its objects are pruned and its state forgotten. */
  private async forgetApp(name: string, number: number): Promise<void> {
    this.log(`no longer has preview.enabled at the request's head; removing it`, { app: name });
    const status = await this.options.state.getApp(name);
    await this.options.state.deleteApp(name);
    if (status) await pruneObjects({ target: this.options.clusters.get(status.cluster), app: name, keep: [], namespaces: [previewNamespace(number)] });
  }

  /** Deletes `pr-N` when it is a preview's (labelled with N): a namespace someone else named so is not a request's to remove. */
  private async deleteNamespace(cluster: string, number: number): Promise<void> {
    const target = this.options.clusters.get(cluster);
    const name = previewNamespace(number);
    try {
      const namespace = await target.core.readNamespace({ name });
      if (namespace.metadata?.labels?.[PREVIEW_LABEL] !== String(number)) {
        this.log(`#${number}: namespace ${name} is not a preview's (it has no ${PREVIEW_LABEL}: "${number}" label); left alone`);
        return;
      }
      await target.core.deleteNamespace({ name, body: { preconditions: { uid: namespace.metadata.uid } } });
    } catch (err) {
      if (!isNotFoundError(err)) throw err;
    }
  }

  private async previewNamespaces(cluster: string): Promise<number[]> {
    const target = this.options.clusters.get(cluster);
    const list = await target.core.listNamespace({ labelSelector: PREVIEW_LABEL });
    return list.items
      .filter((ns) => !ns.metadata?.deletionTimestamp && ns.metadata?.name === previewNamespace(Number(ns.metadata?.labels?.[PREVIEW_LABEL])))
      .map((ns) => Number(ns.metadata!.labels![PREVIEW_LABEL]));
  }
}
