import type { HealthStatus } from '../../../controller/apps/app-spec.js';
import type { AppliedObject } from '../../../controller/apply/applied-object.js';
import type { PrunePlan } from '../../../controller/apply/prune-objects.js';
import { clusterResourceRefusal, ownNamespaces } from '../../../controller/apply/cluster-resources.js';
import { isAddressable, otherOwner } from '../../../controller/apply/ownership.js';
import type { PreflightApp, PreflightRefusal } from '../../../controller/apply/preflight.js';
import { isClusterScoped } from '../../../runtime/kube/cluster-scoped.js';
import { APP_LABEL, REVISION_ANNOTATION } from '../../../controller/apps/track-objects.js';
import { ClusterConfigError } from '../../../controller/clusters/cluster-config-error.js';
import { ObjectRejectedError } from '../../../controller/clusters/object-rejected-error.js';
import type { HealthGateResult } from '../../../controller/health/wait-for-healthy.js';
import type { HookEvent, HooksResult } from '../../../controller/apply/run-hooks.js';
import type { ClusterApply, ClusterGate, ClusterHooks, ClusterPort, ClusterRollback, ClustersPort } from '../../../controller/sync/ports/cluster-port.js';
import type { KubeObject } from '../../../runtime/kube/object.js';

/** How the health gate ends for a revision: healthy, unhealthy with a reason, or never (until the sync is aborted). */
export type GateOutcome = { healthy: true } | { healthy: false; reason: string } | 'hang';

/**
 * A cluster in memory. Objects are kept by kind, namespace and name; apply
 * stores them in dependency order, refuses the objects it was told to, and
 * prunes the app's objects no longer given when the app's policy says so.
 * The gate's outcome is set per revision (the objects' `baton.dev/revision`);
 * healthy by default. Every call is recorded in `calls`.
 */
export class FakeCluster implements ClusterPort {
  readonly objects = new Map<string, KubeObject>();
  /** `apply <revision>`, `gate <revision>`, `rollback <revision>`, `read`, `health`, in order. */
  readonly calls: string[] = [];
  /** What `assessHealth` answers. */
  health: HealthStatus = 'Healthy';
  /** Called before each object is stored (e.g. to abort the sync mid-apply). */
  onApplyObject: ((object: KubeObject) => void) | undefined;
  private readonly rejections = new Map<string, string>();
  private readonly refusals = new Map<string, string>();
  private readonly gates = new Map<string, GateOutcome>();
  private readonly hookFailures = new Map<string, string>();
  private failures: Error[] = [];

  constructor(readonly name = 'local') {}

  /** The cluster refuses `kind/name` as invalid. */
  reject(kind: string, name: string, message = 'is invalid: spec.replicas: must be greater than or equal to 0'): void {
    this.rejections.set(`${kind}/${name}`, message);
  }

  /** The cluster's dry-run (and so preflight) refuses `kind/name` with `said`; `reject` is a refusal only the write meets. */
  refuse(kind: string, name: string, said = `${kind} "${name}" is invalid: spec.replicas: must be greater than or equal to 0`): void {
    this.refusals.set(`${kind}/${name}`, said);
  }

  /** The next call (of any kind) throws `err`, e.g. a ClusterRequestError. */
  failNext(err: Error): void {
    this.failures.push(err);
  }

  gateFor(revision: string, outcome: GateOutcome): void {
    this.gates.set(revision, outcome);
  }

  /** The live object, if any. */
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key(kind, namespace, name));
  }

  /** `Kind/name` of every object, sorted. */
  names(): string[] {
    return [...this.objects.values()].map((o) => `${o.kind}/${o.metadata.name}`).sort();
  }

  async readLive(objects: readonly KubeObject[]): Promise<KubeObject[]> {
    this.call('read');
    return objects.map((o) => this.objects.get(keyOf(o))).filter((o): o is KubeObject => o !== undefined).map((o) => structuredClone(o));
  }

  async assessHealth(_objects: readonly KubeObject[], _namespace: string): Promise<HealthStatus> {
    this.call('health');
    return this.health;
  }

  async apply(input: ClusterApply): Promise<AppliedObject[]> {
    this.call(`apply ${revisionOf(input.objects)}`);
    return this.write(input, input.app.syncPolicy.prune);
  }

  /**
   * Reads only, and is recorded in `calls` only when it refuses something: every
   * sync asks it. Refuses what `refuse` was told, objects off limits to the app,
   * and objects whose live labels name another app; a hook already live is not
   * dry-run (it is created again).
   */
  async preflight(input: { app: PreflightApp; objects: readonly KubeObject[]; hooks?: readonly KubeObject[]; signal: AbortSignal }): Promise<PreflightRefusal[]> {
    const { app, objects } = input;
    const hooks = new Set(input.hooks ?? []);
    const all = [...objects, ...hooks];
    const own = ownNamespaces(all, app, (o) => isClusterScoped(o.kind));
    const refusals = all.flatMap((o): PreflightRefusal[] => {
      const object = { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? `${o.metadata.generateName ?? ''}*` };
      const offLimits = clusterResourceRefusal(o, isClusterScoped(o.kind), app, own);
      if (offLimits) return [{ object, code: 'off-limits', problem: offLimits }];
      if (!isAddressable(o)) return [];
      const live = this.objects.get(keyOf(o));
      const owner = live && otherOwner(live, app);
      if (owner) return [{ object, code: 'owned', owner, problem: `is owned by app ${owner}` }];
      if (live && hooks.has(o)) return [];
      const said = this.refusals.get(`${o.kind}/${o.metadata.name}`);
      return said ? [{ object, code: 'refused', problem: `is refused by the cluster: ${said}` }] : [];
    });
    if (refusals.length > 0) this.call(`preflight ${revisionOf(objects)} refused`);
    return refusals;
  }

  /** Reads only, and is not recorded in `calls`: the prune guard asks it before every pruning sync. */
  async planPrune(input: Pick<ClusterApply, 'app' | 'objects' | 'signal'>): Promise<PrunePlan> {
    const keep = new Set(input.objects.map(keyOf));
    const live = [...this.objects].filter(([, o]) => o.metadata.labels?.[APP_LABEL] === input.app.name);
    const prune = live.filter(([k]) => !keep.has(k)).map(([, o]) => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name! }));
    return { live: live.length, prune };
  }

  async waitForHealthy(input: ClusterGate): Promise<HealthGateResult> {
    this.call(`gate ${revisionOf(input.objects)}`);
    return this.gate(input);
  }

  async rollbackTo(input: ClusterRollback): Promise<{ health: HealthGateResult }> {
    this.call(`rollback ${revisionOf(input.manifests)}`);
    await this.write({ app: input.app, objects: input.manifests, signal: input.signal, onProgress: input.onApplied }, true);
    const health = await this.gate({ objects: input.manifests, namespace: input.app.namespace, deadlineSeconds: input.app.rollout.progressDeadlineSeconds, signal: input.signal, onProgress: input.onProgress });
    return { health };
  }

  /** `hooks <phase> <names>`; a hook whose name or generateName `failHook` was told fails the phase with that reason. */
  async runHooks(input: ClusterHooks): Promise<HooksResult> {
    const names = input.hooks.map((h) => h.object.metadata.name ?? h.object.metadata.generateName);
    this.call(`hooks ${input.phase} ${names.join(',')}`);
    const ran: HookEvent[] = [];
    for (const hook of [...input.hooks].sort((a, b) => a.wave - b.wave)) {
      input.signal.throwIfAborted();
      const name = hook.object.metadata.name ?? `${hook.object.metadata.generateName}x1y2z`;
      const failed = this.hookFailures.get(hook.object.metadata.name ?? hook.object.metadata.generateName ?? '');
      const event: HookEvent = { phase: input.phase, kind: hook.object.kind, name, state: failed ? 'Failed' : 'Succeeded', ...(failed ? { message: failed } : {}) };
      ran.push(event);
      input.onProgress?.(event);
      if (failed) return { ok: false, reason: `${input.phase} hook ${hook.object.kind} ${name} failed: ${failed}`, ran };
    }
    return { ok: true, ran };
  }

  /** The hook named `name` (or with that generateName) fails with `reason` whenever it runs. */
  failHook(name: string, reason: string): void {
    this.hookFailures.set(name, reason);
  }

  private call(what: string): void {
    this.calls.push(what);
    const err = this.failures.shift();
    if (err) throw err;
  }

  private async write(input: ClusterApply, prune: boolean): Promise<AppliedObject[]> {
    const results: AppliedObject[] = [];
    const report = (r: AppliedObject) => {
      results.push(r);
      input.onProgress(r);
    };
    for (const object of [...input.objects].sort((a, b) => rank(a.kind) - rank(b.kind))) {
      input.signal.throwIfAborted();
      this.onApplyObject?.(object);
      input.signal.throwIfAborted();
      const { kind, metadata } = object;
      const rejected = this.rejections.get(`${kind}/${metadata.name}`);
      if (rejected) throw new ObjectRejectedError(`${kind} ${metadata.namespace}/${metadata.name} ${rejected}`, { kind, namespace: metadata.namespace, name: metadata.name!, status: 422, reason: 'Invalid' });
      const before = this.objects.get(keyOf(object));
      this.objects.set(keyOf(object), structuredClone(object));
      const action = !before ? 'created' : JSON.stringify(before) === JSON.stringify(object) ? 'unchanged' : 'configured';
      report({ apiVersion: object.apiVersion, kind, namespace: metadata.namespace, name: metadata.name!, action });
    }
    if (!prune) return results;
    const keep = new Set(input.objects.map(keyOf));
    for (const [k, live] of [...this.objects]) {
      if (keep.has(k) || live.metadata.labels?.[APP_LABEL] !== input.app.name) continue;
      input.signal.throwIfAborted();
      this.objects.delete(k);
      report({ apiVersion: live.apiVersion, kind: live.kind, namespace: live.metadata.namespace, name: live.metadata.name!, action: 'pruned' });
    }
    return results;
  }

  private async gate(input: ClusterGate): Promise<HealthGateResult> {
    input.signal.throwIfAborted();
    const outcome = this.gates.get(revisionOf(input.objects)) ?? { healthy: true };
    if (outcome === 'hang') {
      return new Promise((_, reject) => input.signal.addEventListener('abort', () => reject(input.signal.reason), { once: true }));
    }
    const workloads = input.objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace ?? input.namespace, name: o.metadata.name!, state: outcome.healthy ? ('done' as const) : ('failed' as const), message: outcome.healthy ? 'rolled out' : outcome.reason }));
    for (const w of workloads) input.onProgress(w);
    return outcome.healthy ? { healthy: true, workloads } : { healthy: false, reason: outcome.reason, workloads, problems: [] };
  }
}

/**
 * Clusters by name: `local` unless told otherwise. A name not added is not
 * configured; `localStarting` makes `local` answer as a runtime still starting.
 */
export class FakeClusters implements ClustersPort {
  readonly clusters = new Map<string, FakeCluster>();
  localStarting = false;

  constructor(...clusters: FakeCluster[]) {
    for (const c of clusters) this.clusters.set(c.name, c);
  }

  connect(name: string): ClusterPort {
    if (name === 'local' && this.localStarting) {
      throw new ClusterConfigError('LOCAL_RUNTIME_NOT_READY', `cluster "local": the built-in runtime's kubeconfig /state/kubeconfig does not exist (is the runtime running?)`, { cluster: name });
    }
    const cluster = this.clusters.get(name);
    if (!cluster) throw new ClusterConfigError('UNKNOWN_CLUSTER', `cluster "${name}" is not a context in /home/me/.kube/config; known contexts: (none)`, { cluster: name });
    return cluster;
  }
}

function key(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace ?? ''}/${name ?? ''}`;
}

function keyOf(o: KubeObject): string {
  return key(o.kind, o.metadata.namespace, o.metadata.name);
}

function revisionOf(objects: readonly KubeObject[]): string {
  return objects.map((o) => o.metadata.annotations?.[REVISION_ANNOTATION]).find((r) => r !== undefined) ?? '(none)';
}

/** Enough of baton's apply order for a fake: namespaces, then config, then Services, then the rest. */
function rank(kind: string): number {
  return ({ Namespace: 0, Secret: 1, ConfigMap: 1, Service: 2 } as Record<string, number>)[kind] ?? 3;
}
