import { startReconcileLoop, type ReconcileLoop } from '../../runtime/kube/reconcile/reconcile-loop.js';
import { done, requeueAfter, type ReconcileResult } from '../../runtime/kube/reconcile/reconcile-result.js';
import type { LogLine } from '../apps/app-log.js';
import type { AppSpec, RepositorySpec } from '../apps/app-spec.js';
import type { ClusterTarget, ClusterTargets } from '../clusters/cluster-target.js';
import { diffObjects, type AppDiff } from './diff/diff-objects.js';
import { DriftCheck } from './drift-check.js';
import { orderApps } from './order-apps.js';
import { planApp, type AppPlan } from './plan-app.js';
import { PlanRecorder } from './plan-recorder.js';
import { processPlannedRenders, type PlannedRenders } from './planned-renders.js';
import { SyncQueue, type EnqueueResult } from '../queue/sync-queue.js';
import type { SyncTrigger } from '../queue/sync-job.js';
import { SourcePoller, type RevisionEvent } from '../source/source-poller.js';
import { StateStore } from '../state/state-store.js';
import type { AppStatus } from '../state/app-status.js';
import { desiredRevision } from '../state/desired-revision.js';
import { bundledChartsDir } from '../apps/bundled-paths.js';
import { readLiveObjects, withNamespace } from '../clusters/live-objects.js';
import { readAppConfig } from '../apps/read-app-config.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import { syncRole } from '../../runtime/kube/sync-annotations.js';
import { SyncRegistry } from '../state/sync-registry.js';
import { DiskTree, type FileTree } from '../../renderer/index.js';

export interface AppControllerOptions {
  /** baton's state dir (repository mirrors live below it). */
  stateDir: string;
  redisUrl: string;
  /** Repositories whose `baton.yaml` declares the apps. */
  repositories: RepositorySpec[];
  /** Directory of bundled charts. @defaultValue baton's charts/ */
  chartsDir?: string;
  /** Cluster targets by name. @defaultValue `local` from `<stateDir>/kubeconfig`, others from $KUBECONFIG */
  clusters?: ClusterTargets;
  /**
   * How often live objects are compared with the last applied ones (selfHeal)
   * and app health is refreshed. 0 turns the check off.
   * @defaultValue 30000
   */
  driftCheckMs?: number;
  /** Receives one line per decision worth telling a person, with the app and revision it is about. @defaultValue nothing is logged */
  log?: LogLine;
  /** How long after a failed plan (Redis or Git unavailable) the same revision is planned again. @defaultValue 5000 */
  planRetryMs?: number;
  /** Where renders of queued syncs are handed to a sync worker in this process. @defaultValue the process's (processPlannedRenders) */
  plannedRenders?: PlannedRenders;
}

/** Apps of one commit planned at once. */
const PLANS_AT_ONCE = 16;

/** What the controller remembers of an app between revisions (in memory: a restart re-renders once). */
interface KnownApp {
  spec: AppSpec;
  inputsKey?: string;
}

/**
 * The long-running controller: follows repositories (SourcePoller), and on
 * each new revision re-reads `baton.yaml` at that commit, plans every app
 * (skipping unchanged ones by their inputs key) and enqueues a sync for each
 * automated app whose rendered manifests changed. A periodic drift check
 * enqueues a sync when live objects differ from the last applied ones
 * (selfHeal). Workers (startSyncWorker) do the syncing. Both run on the
 * shared reconcile loop: planning keyed by repository id, the drift check as
 * one key requeued every `driftCheckMs`.
 */
export class AppController {
  readonly state: StateStore;
  readonly queue: SyncQueue;
  readonly registry: SyncRegistry;
  readonly poller: SourcePoller;
  /** The cluster targets, once a drift check or a diff first needs one. */
  private clusters: Promise<ClusterTargets> | undefined;
  private readonly chartsTree: FileTree;
  private readonly log: LogLine;
  private readonly apps = new Map<string, KnownApp>();
  /** Plans each repository's newest revision; one revision of a repository at a time. */
  private readonly planning: ReconcileLoop;
  /** Per repository: the newest revision planned (or given up on), so a wake-up for it again costs nothing. */
  private readonly planned = new Map<string, string>();
  private drift: ReconcileLoop | undefined;
  /** Per repository: what is wrong with reading it (SourcePoller's `problem`), shown on each of its apps. */
  private readonly sourceProblems = new Map<string, string | undefined>();
  /** Per repository: the write of its problem to its apps in flight, so writes land in order. */
  private readonly shown = new Map<string, Promise<void>>();
  private closed = false;
  /** Per repository: the apps the registry records it declaring, once read (this controller is their only writer). */
  private readonly declared = new Map<string, readonly string[]>();
  /** Apps in dependency order, per parsed baton.yaml. */
  private readonly ordered = new WeakMap<AppSpec[], AppSpec[]>();

  constructor(private readonly options: AppControllerOptions) {
    this.state = new StateStore({ redisUrl: options.redisUrl, secretsKeyDir: options.stateDir });
    this.queue = new SyncQueue({ redisUrl: options.redisUrl });
    this.registry = new SyncRegistry(options.redisUrl);
    this.poller = new SourcePoller({ stateDir: options.stateDir });
    this.clusters = options.clusters && Promise.resolve(options.clusters);
    this.chartsTree = new DiskTree(options.chartsDir ?? bundledChartsDir());
    this.log = options.log ?? (() => undefined);
    this.planning = startReconcileLoop({
      name: 'app-controller',
      reconcile: (repository) => this.reconcileRepository(repository),
      // Every repository at once, as each has its own revisions.
      concurrency: Math.max(1, options.repositories.length),
    });
  }

  /** Starts following the repositories (each is checked at once) and the drift check. */
  async start(): Promise<void> {
    this.poller.on('revision', ({ repository, commit, previous, forced }: RevisionEvent) => {
      if (forced) this.log(`repository ${repository}: its branch was force-pushed from ${shortRevision(previous)} to ${shortRevision(commit)}; deploying the new head`);
      this.planning.enqueue(repository);
    });
    this.poller.on('error', ({ repository, error }) => this.log(`repository ${repository}: ${error.message}`));
    this.poller.on('problem', ({ repository, problem }) => {
      this.sourceProblems.set(repository, problem);
      this.showSourceProblem(repository);
    });
    for (const spec of this.options.repositories) {
      await this.registry.setRepository(spec);
      this.poller.add(spec);
    }
    const every = this.options.driftCheckMs ?? 30_000;
    if (every > 0) {
      const check = new DriftCheck({
        state: this.state,
        queue: this.queue,
        log: this.log,
        cluster: (name) => this.cluster(name),
        apps: () => [...this.apps].map(([name, app]) => [name, app.spec] as const),
        closed: () => this.closed,
      });
      this.drift = startReconcileLoop({
        name: 'drift-check',
        concurrency: 1,
        reconcile: async () => {
          await check.round().catch((err: unknown) => this.log(`drift check: ${(err as Error).message}`));
          return requeueAfter(every);
        },
      });
      this.drift.enqueueAfter('apps', every);
    }
  }

  /** Asks for a sync of one app now (REST API `POST /apps/:name/sync`, `baton sync`). */
  async requestSync(app: string, trigger: SyncTrigger = 'manual', message?: string): Promise<EnqueueResult> {
    const status = await this.state.getApp(app);
    if (!status) throw new Error(`no app named "${app}"`);
    const repoId = await this.registry.repositoryOf(app);
    const repo = repoId === undefined ? undefined : await this.registry.repository(repoId);
    const revision = desiredRevision({ pinnedRevision: status.pinnedRevision, branchHead: repo?.revision, fallback: status.observedRevision ?? status.revision });
    if (!revision) throw new Error(`app "${app}" has no revision yet: its repository has not been read`);
    return this.queue.enqueue({ app, revision, trigger, ...(message !== undefined ? { message } : {}) });
  }

  /**
   * What syncing the app now would change: its desired revision (the pin, else
   * the repository's newest commit) rendered and compared with the live
   * objects. Secrets' values never appear (controller/plan/diff redacts them).
   */
  async diffApp(status: Pick<AppStatus, 'name' | 'pinnedRevision'>): Promise<{ revision: string; diff: AppDiff }> {
    const repoId = await this.registry.repositoryOf(status.name);
    const source = repoId === undefined ? undefined : this.poller.repository(repoId);
    const repo = repoId === undefined ? undefined : await this.registry.repository(repoId);
    if (!source || !repo?.revision) throw new Error(`app "${status.name}" has no repository read yet`);
    const revision = await source.resolveRef(desiredRevision({ pinnedRevision: status.pinnedRevision, branchHead: repo.revision }) ?? repo.revision);
    const config = await readAppConfig(source.tree(revision), repo.spec.id);
    if (!config.ok) throw new Error(`baton.yaml at ${shortRevision(revision)} has errors:\n${config.errors.join('\n')}`);
    const app = config.apps.find((a) => a.name === status.name);
    if (!app) throw new Error(`${status.name} is not declared at ${shortRevision(revision)}`);
    const plan = await planApp({ app, repo: source, commit: revision, chartsTree: this.chartsTree });
    if (plan.action !== 'render') throw new Error(`${shortRevision(revision)} does not render:\n${plan.action === 'degraded' ? plan.errors.join('\n') : ''}`);
    // Hooks are not the app's live state: a sync runs them, a diff does not compare them.
    const objects = withNamespace(
      plan.objects.map((o) => o.object).filter((o) => syncRole(o.metadata.annotations).kind === 'object'),
      app.namespace,
    );
    const live = await readLiveObjects(await this.cluster(app.cluster), objects);
    return { revision, diff: diffObjects(objects, live, { app: app.name }) };
  }

  /** Resolves once every revision seen so far has been planned (for tests and benchmarks). */
  async idle(): Promise<void> {
    await this.planning.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.poller.close();
    await Promise.all([this.planning.stop(), this.drift?.stop()]);
    await Promise.all([this.queue.close(), this.state.close(), this.registry.close()]);
  }

  /**
   * Plans the repository's newest revision unless it was planned already.
   * When Redis or Git failed mid-plan, the same revision is planned again
   * after `planRetryMs` (apps done already skip by inputs key), unless a newer one came meanwhile.
   */
  private async reconcileRepository(repository: string): Promise<ReconcileResult> {
    const commit = this.poller.status(repository)?.lastCommit;
    if (this.closed || commit === undefined || this.planned.get(repository) === commit) return done;
    try {
      if (!(await this.handleRevision(repository, commit))) return requeueAfter(this.options.planRetryMs ?? 5_000);
    } catch (err) {
      this.log(`repository ${repository} at ${shortRevision(commit)}: ${(err as Error).message}`);
    }
    this.planned.set(repository, commit);
    return done;
  }

  /** Returns false when some app could not be planned (Redis or Git unavailable). */
  private async handleRevision(repoId: string, commit: string): Promise<boolean> {
    const source = this.poller.repository(repoId);
    const spec = this.options.repositories.find((r) => r.id === repoId);
    if (!source || !spec) return true;
    await this.registry.setRepository(spec, commit);
    const config = await readAppConfig(source.tree(commit), repoId);
    const known = this.declared.get(repoId) ?? (await this.registry.appsOf(repoId));
    if (!config.ok) {
      const message = `baton.yaml at ${shortRevision(commit)} has errors; no app of ${source.url} syncs until they are fixed:\n${config.errors.join('\n')}`;
      this.log(message);
      const patch = { syncStatus: 'Unknown', message, observedRevision: commit } as const;
      await this.state.updateApps(known.map((name) => [name, patch] as const));
      // Once the file is fixed (even back to what it was) every app is planned again: their inputs keys
      // would say nothing changed and leave them Unknown, with self-heal off, until a manual sync.
      for (const [name, app] of this.apps) if (app.spec.repository === repoId) this.apps.set(name, { spec: app.spec });
      await this.state.publish({ type: 'repository.error', data: { repository: repoId, revision: commit, errors: config.errors } });
      return true;
    }
    const names = new Set(config.apps.map((a) => a.name));
    const gone = known.filter((name) => !names.has(name));
    for (const name of gone) {
      // Its objects are left running: deleting a whole app is a person's decision (baton.yaml may just be mid-edit).
      this.log(`no longer declared in baton.yaml at ${shortRevision(commit)}; forgetting it (its objects stay in the cluster)`, { app: name, revision: commit });
      await this.state.deleteApp(name);
      this.apps.delete(name);
      // A sync running for it would go on creating objects nobody declares any more.
      await this.queue.cancel(name, `${name} is no longer declared in baton.yaml at ${shortRevision(commit)}`);
    }
    await this.registry.removeApps(gone);
    // Apps already recorded as this repository's need no write (1,000 fields on every commit).
    const recorded = new Set(known);
    await this.registry.setApps(repoId, [...names].filter((name) => !recorded.has(name)));
    this.declared.set(repoId, [...names]);
    let failed = 0;
    const fail = async (app: AppSpec, err: unknown) => {
      failed++;
      this.log(`planning ${shortRevision(commit)} failed: ${(err as Error).message}`, { app: app.name, revision: commit });
      await this.state.updateApp(app.name, { message: `planning ${shortRevision(commit)} failed: ${(err as Error).message}` }).catch(() => undefined);
    };
    const apps = this.inOrder(config.apps);
    const registered = await this.register(repoId, apps).catch(async (err: unknown) => {
      await Promise.all(apps.map((app) => fail(app, err)));
      return undefined;
    });
    if (!registered) return this.closed;
    // The key is remembered only once the plan's outcome is recorded (and queued): a failure
    // must not make the next revision skip this app as if it had been handled.
    const recorder = new PlanRecorder({
      state: this.state,
      queue: this.queue,
      commit,
      log: this.log,
      planned: this.options.plannedRenders ?? processPlannedRenders,
      recorded: (app, plan) => this.apps.set(app.name, { spec: app, inputsKey: plan.inputsKey }),
      failed: async (app, err) => {
        this.apps.set(app.name, { spec: app, inputsKey: undefined });
        await fail(app, err);
      },
    });
    // Several apps are planned at once, so one's Git reads wait while another renders; their
    // plans are recorded in dependency order all the same.
    const planning: { app: AppSpec; plan: Promise<AppPlan | void> }[] = [];
    const recordNext = async () => {
      const { app, plan } = planning.shift()!;
      const planned = await plan;
      if (planned && !this.closed) await recorder.add(app, planned);
    };
    for (const app of apps) {
      if (this.closed) break;
      const previous = { inputsKey: this.apps.get(app.name)?.inputsKey };
      const plan = planApp({ app, repo: source, commit, chartsTree: this.chartsTree, previous }).catch(async (err: unknown) => fail(app, err));
      planning.push({ app, plan });
      if (planning.length >= PLANS_AT_ONCE) await recordNext();
    }
    while (planning.length > 0) await recordNext();
    await recorder.done();
    if (this.closed) return true;
    // Apps whose inputs did not change were not written: one mark says they saw this commit too.
    const marked = await this.state.markObserved(repoId, commit).then(
      () => true,
      (err: unknown) => {
        this.log(`repository ${repoId} at ${shortRevision(commit)}: recording it as observed failed: ${(err as Error).message}`);
        return false;
      },
    );
    return marked && failed === 0;
  }

  /** orderApps, once per baton.yaml (the same text gives the same spec array, readAppConfig). */
  private inOrder(specs: AppSpec[]): AppSpec[] {
    let ordered = this.ordered.get(specs);
    if (!ordered) {
      ordered = orderApps(specs);
      this.ordered.set(specs, ordered);
    }
    return ordered;
  }

  /**
   * Registers (StateStore.ensureApp) every app new or declared differently, in one call, and
   * remembers each app's spec. An app planned before with the same spec keeps its inputs key.
   */
  private async register(repoId: string, apps: readonly AppSpec[]): Promise<true> {
    // The same baton.yaml gives the same spec objects (readAppConfig), so most apps compare by identity.
    const changed = apps.filter((app) => {
      const known = this.apps.get(app.name);
      return known === undefined || (known.spec !== app && JSON.stringify(known.spec) !== JSON.stringify(app));
    });
    const created = await this.state.ensureApps(changed);
    const problem = this.sourceProblems.get(repoId);
    if (problem !== undefined) {
      const patch = { sourceMessage: problem };
      await this.state.updateApps(changed.filter((_, i) => created[i]).map((app) => [app.name, patch] as const));
    }
    for (const app of changed) this.apps.set(app.name, { spec: app });
    for (const app of apps) this.apps.get(app.name)!.spec = app;
    return true;
  }

  /**
   * The target named `name`. The default targets' module (and the parts of @kubernetes/client-node
   * baton uses, ~30 MiB of RSS compiled) is loaded at first use: a controller that only follows
   * repositories never needs it.
   */
  private async cluster(name: string): Promise<ClusterTarget> {
    this.clusters ??= import('../clusters/cluster-target.js').then((m) => m.clusterTargets({ stateDir: this.options.stateDir }));
    return (await this.clusters).get(name);
  }

  /** Writes the repository's current problem (or its end) on each of its apps. */
  private showSourceProblem(repoId: string): Promise<void> {
    const write = async () => {
      const problem = this.sourceProblems.get(repoId);
      const names = this.declared.get(repoId) ?? (await this.registry.appsOf(repoId));
      // Most checks find nothing wrong, and nothing was before (or before a restart): no write.
      const statuses = problem === undefined ? await this.state.getApps(names) : [];
      // '' rather than a deleted field, so the `app.updated` event says it is over.
      const patch = { sourceMessage: problem ?? '' };
      await this.state.updateApps(names.filter((_, i) => problem !== undefined || statuses[i]?.sourceMessage).map((name) => [name, patch] as const));
    };
    const next = (this.shown.get(repoId) ?? Promise.resolve())
      .then(write)
      .catch((err: unknown) => this.log(`repository ${repoId}: showing its state on its apps failed: ${(err as Error).message}`));
    this.shown.set(repoId, next);
    return next;
  }
}
