import type { KubernetesObject } from '@kubernetes/client-node';
import type { AppSpec } from '../apps/app-spec.js';
import { applyObjects } from '../apply/apply-objects.js';
import { ObjectRejectedError } from '../apply/object-rejected-error.js';
import { rollbackTo } from '../apply/rollback.js';
import { ClusterConfigError } from '../clusters/cluster-config-error.js';
import type { ClusterTarget, ClusterTargets } from '../clusters/cluster-target.js';
import { diffObjects } from '../plan/diff/diff-objects.js';
import { assessHealth } from '../health/assess-health.js';
import { syncProgress } from '../health/sync-progress.js';
import { waitForHealthy } from '../health/wait-for-healthy.js';
import { planApp } from '../plan/plan-app.js';
import { parsePreviewAppName } from '../previews/preview-names.js';
import { previewAppSpec } from '../previews/preview-spec.js';
import type { PreviewStore } from '../previews/preview-store.js';
import { RetryLaterError } from '../queue/retry-later-error.js';
import type { SyncJobContext, SyncProcessor } from '../queue/sync-worker.js';
import type { SyncJobData, SyncOutcome } from '../queue/sync-job.js';
import type { RepositorySource } from '../source/repository.js';
import type { AppStatus } from '../state/app-status.js';
import type { StateStore } from '../state/state-store.js';
import type { FileTree } from '../../renderer/index.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { readLiveObjects, withNamespace } from './live-objects.js';
import { readAppConfig } from './read-app-config.js';
import type { SourceCache } from './source-cache.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import { done, type StepResult } from './sync-outcome.js';
import type { SyncRegistry } from './sync-registry.js';

export interface SyncAppDeps {
  state: StateStore;
  registry: SyncRegistry;
  sources: SourceCache;
  clusters: ClusterTargets;
  /** baton's bundled charts (a DiskTree of `charts/`). */
  chartsTree: FileTree;
  /** Open previews, for syncs of preview apps (`pr-N.<app>`). @defaultValue none: preview syncs are skipped */
  previews?: Pick<PreviewStore, 'get'>;
  /** How long a sync waiting on its dependencies waits before looking again. @defaultValue 3000 */
  dependencyRetryMs?: number;
  /** Receives one line per step worth telling a person. @defaultValue nothing is logged */
  log?: (line: string) => void;
}

/** What one sync learns as its steps run. */
interface SyncContext {
  request: SyncJobData;
  job: SyncJobContext;
  name: string;
  startedAt: Date;
  status: AppStatus;
  source: RepositorySource;
  /** The commit being synced. */
  revision: string;
  /** The newest commit of the followed branch (for a preview, its head), when known. */
  branchHead?: string;
  app: AppSpec;
  objects: KubeObject[];
  digest: string;
  target: ClusterTarget;
}

type Step = (ctx: SyncContext) => Promise<StepResult>;

/**
 * The app sync reconciler. A job names an app (and the revision that
 * triggered it); the sync re-reads what is desired (the repository's newest
 * commit, or the app's pin from `baton rollback`) and what is live, and
 * applies only a difference, behind a health gate that rolls back to the
 * last healthy manifests on failure.
 */
export function createSyncProcessor(deps: SyncAppDeps): SyncProcessor<SyncOutcome> {
  const log = deps.log ?? (() => undefined);
  const retryMs = deps.dependencyRetryMs ?? 3000;

  const steps: Step[] = [checkDependencies, findCluster, render, skipWhenInSync, applyAndGate];

  return async (request, job) => {
    const name = request.app;
    const status = await deps.state.getApp(name);
    if (!status) return { result: 'Skipped', revision: request.revision, message: `app ${name} is not known (no longer declared?)` };
    const located = await locate(request, status);
    if ('done' in located) return located.done;
    const ctx = { request, job, name, startedAt: new Date(), status, ...located } as SyncContext;
    for (const step of steps) {
      job.signal.throwIfAborted();
      const result = await step(ctx);
      if (result) return result.done;
    }
    throw new Error(`sync of ${name}: no step finished the sync`);
  };

  /** Which commit to sync, read from the registry and the app's pin, and the app's spec at that commit. */
  async function locate(request: SyncJobData, status: AppStatus): Promise<Pick<SyncContext, 'source' | 'revision' | 'app' | 'branchHead'> | { done: SyncOutcome }> {
    const name = request.app;
    const preview = parsePreviewAppName(name);
    if (preview) return locatePreview(request, status, preview);
    const repoId = await deps.registry.repositoryOf(name);
    const repo = repoId === undefined ? undefined : await deps.registry.repository(repoId);
    if (!repo) return { done: { result: 'Skipped', revision: request.revision, message: `app ${name} belongs to no followed repository` } };
    const wanted = status.pinnedRevision ?? (request.trigger === 'rollback' ? request.revision : (repo.revision ?? request.revision));
    const source = deps.sources.get(repo.spec);
    const revision = await source.resolveRef(wanted);
    const retryable = request.trigger === 'manual' || request.trigger === 'rollback';
    if (revision === status.lastFailedRevision && !retryable) {
      return { done: { result: 'Skipped', revision: status.revision ?? revision, message: `${shortRevision(revision)} failed before; waiting for a new commit` } };
    }
    const config = await readAppConfig(source.tree(revision), repo.spec.id);
    if (!config.ok) {
      const message = `baton.yaml at ${shortRevision(revision)} has errors:\n${config.errors.join('\n')}`;
      await deps.state.updateApp(name, { syncStatus: 'Unknown', message, observedRevision: revision });
      return { done: { result: 'Failed', revision: status.revision ?? revision, message } };
    }
    const app = config.apps.find((a) => a.name === name);
    if (!app) return { done: { result: 'Skipped', revision: status.revision ?? revision, message: `${name} is not declared at ${shortRevision(revision)}` } };
    return { source, revision, app, ...(repo.revision ? { branchHead: repo.revision } : {}) };
  }

  /**
   * A preview app syncs its request's head: the ref the request is fetched
   * from (`refs/pull/N/head`) brings the commit into the mirror; the
   * preview's spec is built from the app's entry in `baton.yaml` at that
   * commit. A request closed meanwhile is not synced.
   */
  async function locatePreview(
    request: SyncJobData,
    status: AppStatus,
    preview: { number: number; app: string },
  ): Promise<Pick<SyncContext, 'source' | 'revision' | 'app'> | { done: SyncOutcome }> {
    const record = await deps.previews?.get(preview.number);
    const closed = { done: { result: 'Skipped' as const, revision: status.revision ?? request.revision, message: `pull request #${preview.number} has no open preview of ${preview.app}` } };
    if (!record?.apps.includes(request.app)) return closed;
    const repo = await deps.registry.repository(record.repository);
    if (!repo) return closed;
    const source = deps.sources.get(repo.spec);
    const head = await source.resolveRef(record.headFetchRef).catch(() => undefined);
    const revision = await source.resolveRef(record.headSha).catch((err: unknown) => {
      if (head) return head;
      throw err;
    });
    if (revision === status.lastFailedRevision && request.trigger !== 'manual') {
      return { done: { result: 'Skipped', revision: status.revision ?? revision, message: `${shortRevision(revision)} failed before; waiting for a new push to the request` } };
    }
    const config = await readAppConfig(source.tree(revision), repo.spec.id);
    if (!config.ok) {
      const message = `baton.yaml at ${shortRevision(revision)} has errors:\n${config.errors.join('\n')}`;
      await deps.state.updateApp(request.app, { syncStatus: 'Unknown', message, observedRevision: revision });
      return { done: { result: 'Failed', revision: status.revision ?? revision, message } };
    }
    const app = config.apps.find((a) => a.name === preview.app && a.preview.enabled);
    if (!app) return { done: { result: 'Skipped', revision: status.revision ?? revision, message: `${preview.app} has no preview at ${shortRevision(revision)}` } };
    const previewed = new Set(config.apps.filter((a) => a.preview.enabled).map((a) => a.name));
    return { source, revision, app: previewAppSpec(app, { number: record.number, branch: record.branch, sha: revision }, previewed) };
  }

  /** An app waits until every app it dependsOn is Healthy: a delayed requeue, no attempt spent. */
  async function checkDependencies(ctx: SyncContext): Promise<StepResult> {
    const waiting: string[] = [];
    for (const dep of ctx.app.dependsOn) {
      const status = await deps.state.getApp(dep);
      if (status && status.health !== 'Healthy') waiting.push(dep);
    }
    if (waiting.length === 0) return undefined;
    const message = `waiting for ${waiting.join(', ')} to be Healthy`;
    if (ctx.status.message !== message) await deps.state.updateApp(ctx.name, { message, observedRevision: ctx.revision });
    throw new RetryLaterError(`${ctx.name}: ${message}`, { delayMs: retryMs });
  }

  /** The desired objects: the pinned revision's kept manifests, else a render (all or nothing). */
  async function render(ctx: SyncContext): Promise<StepResult> {
    if (ctx.status.pinnedRevision !== undefined) {
      const kept = await deps.state.getHealthyManifests(ctx.name, ctx.revision);
      if (kept?.revision === ctx.revision) {
        ctx.objects = withNamespace(kept.objects, ctx.app.namespace);
        ctx.digest = kept.digest;
        return undefined;
      }
    }
    const plan = await planApp({ app: ctx.app, repo: ctx.source, commit: ctx.revision, chartsTree: deps.chartsTree });
    if (plan.action === 'degraded') {
      const message = `${shortRevision(ctx.revision)} does not render; nothing was applied:\n${plan.errors.join('\n')}`;
      log(`${ctx.name}: ${message}`);
      await record(ctx, 'Failed', message, {
        syncStatus: 'OutOfSync',
        health: 'Degraded',
        message,
        observedRevision: ctx.revision,
        lastFailedRevision: ctx.revision,
      });
      return done('Failed', ctx.status.revision ?? ctx.revision, message);
    }
    if (plan.action !== 'render') throw new Error(`planApp without a previous key answered ${plan.action}`);
    ctx.objects = withNamespace(
      plan.objects.map((o) => o.object),
      ctx.app.namespace,
    );
    ctx.digest = plan.digest;
    return undefined;
  }

  /** The app's cluster: a runtime still starting is waited for; an unknown cluster waits for a person. */
  async function findCluster(ctx: SyncContext): Promise<StepResult> {
    try {
      ctx.target = deps.clusters.get(ctx.app.cluster);
      return undefined;
    } catch (err) {
      if (!(err instanceof ClusterConfigError)) throw err;
      if (err.code === 'LOCAL_RUNTIME_NOT_READY') throw new RetryLaterError(err.message, { delayMs: retryMs });
      const message = `cannot sync to cluster "${ctx.app.cluster}": ${err.message}`;
      await deps.state.updateApp(ctx.name, { syncStatus: 'Unknown', health: 'Unknown', message, observedRevision: ctx.revision });
      return done('Failed', ctx.status.revision ?? ctx.revision, message);
    }
  }

  /** Live already equals desired (and was recorded so): the app is Synced without touching the cluster. */
  async function skipWhenInSync(ctx: SyncContext): Promise<StepResult> {
    if (ctx.digest !== ctx.status.manifestDigest || ctx.request.trigger === 'manual') return undefined;
    const live = await readLiveObjects(ctx.target, ctx.objects);
    if (!diffObjects(ctx.objects, live, { app: ctx.name }).inSync) return undefined;
    const health = await assessHealth(ctx.target, ctx.objects as KubernetesObject[], ctx.app.namespace);
    await deps.state.updateApp(ctx.name, { ...syncedOrPinned(ctx), health, revision: ctx.revision });
    return done('Skipped', ctx.revision, 'already in sync');
  }

  async function applyAndGate(ctx: SyncContext): Promise<StepResult> {
    const { name, app, target, objects, job } = ctx;
    const progress = syncProgress({ events: deps.state, app: name, objects: objects.length });
    const short = shortRevision(ctx.revision);
    await deps.state.updateApp(name, { syncStatus: 'Syncing', health: 'Progressing', message: `syncing to ${short}`, observedRevision: ctx.revision });
    await deps.state.publish({ type: 'sync.started', app: name, data: { revision: ctx.revision, trigger: ctx.request.trigger } });
    log(`${name}: applying ${short} (${objects.length} objects)`);
    try {
      await applyObjects({ target, app, objects: objects as KubernetesObject[], signal: job.signal, onProgress: progress.applied });
    } catch (err) {
      // The cluster refused an object: retrying the same objects cannot help.
      if (err instanceof ObjectRejectedError) return fail(ctx, err.message);
      throw err;
    }
    const gate = await waitForHealthy({
      target,
      objects: objects as KubernetesObject[],
      namespace: app.namespace,
      deadlineSeconds: app.rollout.progressDeadlineSeconds,
      signal: job.signal,
      onProgress: progress.workload,
    });
    await progress.flush();
    if (!gate.healthy) return fail(ctx, gate.reason);
    log(`${name}: ${short} is Healthy`);
    await record(
      ctx,
      'Succeeded',
      `${short} is Healthy`,
      { ...syncedOrPinned(ctx), revision: ctx.revision, manifestDigest: ctx.digest, health: 'Healthy', lastFailedRevision: undefined },
      true,
    );
    return done('Succeeded', ctx.revision);
  }

  /**
   * Live equals the synced revision. A rollback's pin behind the branch's
   * newest commit is OutOfSync all the same (as Argo CD shows an app rolled
   * back), saying how to follow the branch again.
   */
  function syncedOrPinned(ctx: SyncContext): { syncStatus: 'Synced' | 'OutOfSync'; message: string; observedRevision: string } {
    const head = ctx.branchHead;
    if (ctx.status.pinnedRevision === undefined || !head || head === ctx.revision) return { syncStatus: 'Synced', message: '', observedRevision: ctx.revision };
    return {
      syncStatus: 'OutOfSync',
      message: `pinned to ${shortRevision(ctx.revision)} by a rollback; the branch is at ${shortRevision(head)} (\`baton sync ${ctx.name}\` follows it again)`,
      observedRevision: head,
    };
  }

  /** The revision failed: roll back to the last healthy manifests when allowed, and remember not to retry it. */
  async function fail(ctx: SyncContext, reason: string): Promise<StepResult> {
    const { name, app, target, job } = ctx;
    const short = shortRevision(ctx.revision);
    const healthy = app.rollout.autoRollback ? await deps.state.getHealthyManifests(name) : undefined;
    if (!healthy || healthy.digest === ctx.digest) {
      const message = `${short} failed: ${reason}`;
      log(`${name}: ${message}`);
      await record(ctx, 'Failed', message, {
        revision: ctx.revision,
        manifestDigest: ctx.digest,
        syncStatus: 'OutOfSync',
        health: 'Degraded',
        message,
        observedRevision: ctx.revision,
        lastFailedRevision: ctx.revision,
      });
      return done('Failed', ctx.revision, message);
    }
    log(`${name}: ${short} failed, rolling back to ${shortRevision(healthy.revision)}: ${reason}`);
    const undo = syncProgress({ events: deps.state, app: name, objects: healthy.objects.length, phase: 'rollback' });
    const back = await rollbackTo({ target, app, manifests: withNamespace(healthy.objects, app.namespace) as KubernetesObject[], signal: job.signal, onApplied: undo.applied, onProgress: undo.workload });
    await undo.flush();
    const after = back.health.healthy ? '' : `\nthe rollback is not healthy either: ${back.health.reason}`;
    const message = `${short} failed and was rolled back to ${shortRevision(healthy.revision)}: ${reason}${after}`;
    await record(ctx, 'RolledBack', message, {
      revision: healthy.revision,
      manifestDigest: healthy.digest,
      syncStatus: 'OutOfSync',
      health: 'Degraded',
      message,
      observedRevision: ctx.revision,
      lastFailedRevision: ctx.revision,
    });
    return done('RolledBack', healthy.revision, message);
  }

  async function record(
    ctx: SyncContext,
    result: 'Succeeded' | 'Failed' | 'RolledBack',
    message: string,
    status: Parameters<StateStore['updateApp']>[1],
    healthy = false,
  ): Promise<void> {
    const finished = new Date();
    await deps.state.recordSync(ctx.name, {
      entry: {
        revision: ctx.revision,
        digest: ctx.digest ?? '',
        result,
        startedAt: ctx.startedAt.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - ctx.startedAt.getTime(),
        trigger: ctx.request.trigger,
        message,
      },
      status: { ...status, lastSync: finished.toISOString() },
      healthy: healthy ? { revision: ctx.revision, digest: ctx.digest, objects: ctx.objects } : undefined,
    });
  }
}
