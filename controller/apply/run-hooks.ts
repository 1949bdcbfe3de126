import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../runtime/kube/object.js';
import type { HookPhase } from '../../runtime/kube/sync-annotations.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import { APP_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, REVISION_ANNOTATION } from '../apps/track-objects.js';
import { callCluster, callClusterOrAbsent, pause, type CallContext } from '../clusters/cluster-call.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { describeObject, refOf, type ObjectRef } from '../clusters/object-ref.js';
import { diagnosePods } from '../health/diagnose-pods.js';
import { ensureNamespace, FIELD_MANAGER } from './apply-objects.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';
import { byWave, type HookObject } from './sync-waves.js';

/**
 * The app a hook ran for. Hooks do not carry the app label: they are not the
 * app's live state, so prune and diff never see them (as in Argo CD).
 */
export const HOOK_OF_LABEL = 'baton.dev/hook-of';

export interface RunHooksOptions {
  target: ClusterTarget;
  app: { name: string; namespace: string };
  phase: HookPhase;
  /** The phase's hooks; run wave by wave, each wave finished before the next. */
  hooks: readonly HookObject[];
  revision: string;
  /** How long one wave may take. */
  deadlineSeconds: number;
  signal?: AbortSignal;
  /** Called when a hook is created and when it finishes. */
  onProgress?: (event: HookEvent) => void;
  /** @defaultValue 1000 */
  pollMs?: number;
}

export interface HookEvent {
  phase: HookPhase;
  kind: string;
  namespace?: string;
  name: string;
  state: 'Running' | 'Succeeded' | 'Failed';
  message?: string;
}

export type HooksResult = { ok: true; ran: HookEvent[] } | { ok: false; reason: string; ran: HookEvent[] };

type Outcome = { state: 'Running' } | { state: 'Succeeded' } | { state: 'Failed'; message: string };

/**
 * Runs the hooks of one sync phase: for each wave, every hook is created
 * (deleted first under BeforeHookCreation; named by the cluster when it has
 * only generateName), then waited for: a Job until Complete or Failed, a Pod
 * until Succeeded or Failed, anything else is done once created. The first
 * failing wave ends the phase with why; HookSucceeded / HookFailed delete the
 * hook afterwards.
 */
export async function runHooks(options: RunHooksOptions): Promise<HooksResult> {
  const ctx: CallContext = { target: options.target, signal: options.signal };
  const ran: HookEvent[] = [];
  const report = (event: HookEvent) => {
    ran.push(event);
    options.onProgress?.(event);
  };
  // A first sync's PreSync hooks run before apply has made the app's namespace.
  if (options.hooks.length > 0) await ensureNamespace(ctx, options.app.namespace);
  for (const wave of byWave(options.hooks, (h) => h.wave)) {
    const created: Array<{ hook: HookObject; live: KubernetesObject }> = [];
    for (const hook of wave) {
      const object = prepareHook(hook.object, options);
      try {
        const live = await createHook(ctx, object, hook);
        created.push({ hook, live });
        report(event(options.phase, live, 'Running'));
      } catch (err) {
        if (!(err instanceof ObjectRejectedError)) throw err;
        return { ok: false, reason: `${options.phase} hook ${hookName(object)} was refused: ${err.message}`, ran };
      }
    }
    const deadline = Date.now() + options.deadlineSeconds * 1000;
    const pending = new Set(created);
    let failure: string | undefined;
    while (pending.size > 0 && failure === undefined) {
      for (const item of [...pending]) {
        const outcome = await hookOutcome(ctx, item.live);
        if (outcome.state === 'Running') continue;
        pending.delete(item);
        report(event(options.phase, item.live, outcome.state, outcome.state === 'Failed' ? outcome.message : undefined));
        await deleteByPolicy(ctx, item.live, item.hook, outcome.state);
        if (outcome.state === 'Failed') failure = `${options.phase} hook ${describeObject(refOf(item.live))} failed: ${outcome.message}`;
      }
      if (pending.size === 0 || failure !== undefined) break;
      if (Date.now() >= deadline) {
        const names = [...pending].map((p) => describeObject(refOf(p.live))).join(', ');
        failure = `${options.phase} hook ${names} did not finish within ${options.deadlineSeconds}s`;
        break;
      }
      await pause(options.pollMs ?? 1000, options.signal);
    }
    if (failure !== undefined) return { ok: false, reason: failure, ran };
  }
  return { ok: true, ran };
}

/** `Job shop/migrate-…` for a hook the cluster has not named yet. */
function hookName(object: KubernetesObject): string {
  const md = object.metadata ?? {};
  return `${object.kind} ${md.namespace ? `${md.namespace}/` : ''}${md.name ?? `${md.generateName ?? ''}…`}`;
}

function event(phase: HookPhase, live: KubernetesObject, state: HookEvent['state'], message?: string): HookEvent {
  const ref = refOf(live);
  return { phase, kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name, state, ...(message ? { message } : {}) };
}

/** A copy in the app's namespace, marked as the app's hook of this revision. */
function prepareHook(input: KubeObject, options: RunHooksOptions): KubernetesObject {
  const object = structuredClone(input) as KubernetesObject;
  const metadata = object.metadata!;
  if (!isClusterScoped(object.kind!) && !metadata.namespace) metadata.namespace = options.app.namespace;
  delete metadata.resourceVersion;
  delete metadata.uid;
  // The render tracked it as the app's; as a hook it must not be (prune would delete it, diff compare it).
  const { [APP_LABEL]: _app, ...labels } = metadata.labels ?? {};
  metadata.labels = { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [HOOK_OF_LABEL]: options.app.name };
  metadata.annotations = { ...metadata.annotations, [REVISION_ANNOTATION]: options.revision };
  return object;
}

async function createHook(ctx: CallContext, object: KubernetesObject, hook: HookObject): Promise<KubernetesObject> {
  const ref = refOf(object);
  if (object.metadata?.name && hook.deletePolicies.includes('BeforeHookCreation')) await deleteAndWait(ctx, object, ref);
  return callCluster(ctx, 'create', ref, () => ctx.target.objects.create(object, undefined, undefined, FIELD_MANAGER));
}

async function deleteAndWait(ctx: CallContext, object: KubernetesObject, ref: ObjectRef): Promise<void> {
  if ((await deleteHook(ctx, object)) === undefined) return;
  const header = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: ref.name, namespace: ref.namespace } };
  for (let i = 0; i < 120; i++) {
    if ((await callClusterOrAbsent(ctx, 'read', ref, () => ctx.target.objects.read(header))) === undefined) return;
    await pause(250, ctx.signal);
  }
}

async function deleteByPolicy(ctx: CallContext, live: KubernetesObject, hook: HookObject, state: 'Succeeded' | 'Failed'): Promise<void> {
  if (hook.deletePolicies.includes(state === 'Succeeded' ? 'HookSucceeded' : 'HookFailed')) await deleteHook(ctx, live);
}

/** Deletes a hook with its dependents (a Job's pods); undefined when it was gone already. */
async function deleteHook(ctx: CallContext, object: KubernetesObject): Promise<unknown> {
  const ref = refOf(object);
  const header = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: ref.name, namespace: ref.namespace } };
  return callClusterOrAbsent(ctx, 'delete', ref, () => ctx.target.objects.delete(header, undefined, undefined, undefined, undefined, 'Background'));
}

async function hookOutcome(ctx: CallContext, created: KubernetesObject): Promise<Outcome> {
  if (created.kind !== 'Job' && created.kind !== 'Pod') return { state: 'Succeeded' };
  const ref = refOf(created);
  const header = { apiVersion: created.apiVersion, kind: created.kind, metadata: { name: ref.name, namespace: ref.namespace } };
  const live = (await callClusterOrAbsent(ctx, 'read', ref, () => ctx.target.objects.read(header))) as (KubernetesObject & { status?: any; spec?: any }) | undefined;
  if (!live) return { state: 'Failed', message: 'it was deleted before it finished' };
  if (created.kind === 'Pod') {
    const phase = live.status?.phase;
    if (phase === 'Succeeded') return { state: 'Succeeded' };
    if (phase === 'Failed') return { state: 'Failed', message: await podsSaid(ctx.target, [live as V1Pod]) };
    return { state: 'Running' };
  }
  const conditions: Array<{ type: string; status: string; reason?: string; message?: string }> = live.status?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return { state: 'Succeeded' };
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return { state: 'Running' };
  const pods = await ctx.target.core.listNamespacedPod({ namespace: ref.namespace ?? 'default', labelSelector: `job-name=${ref.name}` }).catch(() => ({ items: [] as V1Pod[] }));
  const said = await podsSaid(ctx.target, pods.items.filter((p) => p.status?.phase === 'Failed').slice(-1));
  return { state: 'Failed', message: [`${failed.reason ?? 'Failed'}: ${failed.message ?? 'the Job failed'}`, said].filter(Boolean).join('\n') };
}

/** What failed pods say: the container's exit and its last log lines. */
async function podsSaid(target: ClusterTarget, pods: readonly V1Pod[]): Promise<string> {
  if (pods.length === 0) return '';
  const problems = await diagnosePods(target, pods).catch(() => []);
  return problems.map((p) => [`pod ${p.pod}: ${p.message}`, ...p.logTail.map((l) => `  ${l}`)].join('\n')).join('\n');
}
