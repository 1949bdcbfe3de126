import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppSpec } from '../../controller/apps/app-spec.js';
import { applyObjects } from '../../controller/apply/apply-objects.js';
import { PatchStrategy } from '../../controller/clusters/kube-client.js';
import { DriftCheck } from '../../controller/plan/drift-check.js';
import type { SyncRequest } from '../../controller/queue/sync-job.js';
import { initialAppStatus, type AppStatus } from '../../controller/state/app-status.js';
import type { HealthyManifests } from '../../controller/state/revision-history.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startHarness, type Harness } from '../apply/apply-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const ns = `driftround${process.pid % 1000}`;
/** Five apps of one ConfigMap each in one namespace: their live objects come from one list. */
const names = ['a0', 'a1', 'a2', 'a3', 'a4'];
const rendered = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${name}` }, data: { mode: 'fast' } }) as KubeObject;

function specOf(name: string, selfHeal = true): AppSpec {
  return { name, repository: 'r', path: name, namespace: ns, cluster: 'local', syncPolicy: { automated: true, prune: true, selfHeal } } as unknown as AppSpec;
}

/** The parts of StateStore a drift check uses, in memory, recording what it reads and writes. */
class Statuses {
  readonly statuses = new Map<string, AppStatus>();
  readonly kept = new Map<string, HealthyManifests>();
  keptReads: string[] = [];
  updates: string[] = [];
  /** As StateStore's: only the fields asked for, so a check that relied on others would see them missing. */
  async getAppFields(list: readonly string[], fields: readonly (keyof AppStatus)[]) {
    return list.map((n) => this.statuses.get(n)).map((s) => s && { name: s.name, ...Object.fromEntries(fields.filter((f) => f in s).map((f) => [f, structuredClone(s[f])])) });
  }
  async getApp(name: string) {
    const s = this.statuses.get(name);
    return s && structuredClone(s);
  }
  async getHealthyManifests(name: string, revision?: string) {
    this.keptReads.push(name);
    const kept = this.kept.get(name);
    return kept && (revision === undefined || kept.revision === revision) ? structuredClone(kept) : undefined;
  }
  async getHistory() {
    return [];
  }
  async updateApp(name: string, patch: Partial<AppStatus>) {
    this.updates.push([name, patch.syncStatus, patch.health, patch.message].filter(Boolean).join(' '));
    Object.assign(this.statuses.get(name)!, patch);
    return true;
  }
}

let state: Statuses;
let pending: Map<string, ('active' | 'waiting' | undefined)[]>;
let enqueued: SyncRequest[];
let specs: AppSpec[];
let check: DriftCheck;

const patchLive = (name: string, data: Record<string, string | null>) =>
  h.target.objects.patch(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data } as KubernetesObject,
    undefined,
    undefined,
    'kubectl-edit',
    undefined,
    PatchStrategy.MergePatch,
  );

beforeEach(async () => {
  state = new Statuses();
  pending = new Map();
  enqueued = [];
  specs = [...names.map((n) => specOf(n)), specOf('manual', false)];
  for (const spec of specs) {
    await applyObjects({ target: h.target, app: { name: spec.name, namespace: ns, syncPolicy: { prune: true } }, objects: [rendered(spec.name) as KubernetesObject] });
    state.statuses.set(spec.name, { ...initialAppStatus(spec), revision: 'r1', manifestDigest: 'd1', lastSync: 't1', syncStatus: 'Synced', health: 'Healthy' });
    state.kept.set(spec.name, { revision: 'r1', digest: 'd1', objects: [rendered(spec.name)], recordedAt: 't1' });
  }
  check = new DriftCheck({
    state: state as ConstructorParameters<typeof DriftCheck>[0]['state'],
    queue: {
      pendingState: async (app: string) => pending.get(app)?.shift(),
      enqueue: async (request: SyncRequest) => {
        enqueued.push(request);
        return { queued: true } as never;
      },
    },
    log: () => undefined,
    cluster: async () => h.target,
    apps: () => specs.map((s) => [s.name, s] as const),
    closed: () => false,
  });
});

describe('the drift check, round after round against the built-in runtime', () => {
  it('reads no kept manifests while live keeps its versions; ignores a field added live; heals a changed field and a deleted object', async () => {
    await check.round();
    state.keptReads = [];
    await check.round();
    expect(enqueued).toEqual([]);
    expect(state.updates).toEqual([]);
    // The second round found the same live objects: no kept manifests read again, nothing compared.
    expect(state.keptReads).toEqual([]);

    await patchLive('cm-a1', { extra: 'added live' });
    await check.round();
    expect(state.keptReads).toEqual(['a1']);
    expect(enqueued).toEqual([]);

    await patchLive('cm-a2', { mode: 'slow' });
    await h.target.objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-a3', namespace: ns } });
    await patchLive('cm-manual', { mode: 'slow' });
    await check.round();
    expect(enqueued.map((r) => `${r.app} ${r.revision} ${r.trigger} ${r.message}`)).toEqual(['a2 r1 selfHeal drift: ConfigMap/cm-a2 changed', 'a3 r1 selfHeal drift: ConfigMap/cm-a3 added']);
    expect(state.updates).toEqual(['a2 OutOfSync drifted: ConfigMap/cm-a2 changed', 'a3 OutOfSync drifted: ConfigMap/cm-a3 added', 'manual OutOfSync drifted: ConfigMap/cm-manual changed']);
  });

  it('neither heals nor writes the health of an app whose sync is queued or running', async () => {
    await check.round();
    await patchLive('cm-a0', { mode: 'slow' });
    state.statuses.get('a4')!.health = 'Progressing';
    pending.set('a0', ['active']);
    pending.set('a4', ['waiting']);
    await check.round();
    expect(enqueued).toEqual([]);
    expect(state.updates).toEqual([]);
  });

  it('writes health back when the status says otherwise, though the objects did not change', async () => {
    await check.round();
    state.statuses.get('a0')!.health = 'Progressing';
    await check.round();
    expect(state.updates).toEqual(['a0 Healthy']);
  });

  it('compares again once a sync ended, with the manifests it kept', async () => {
    await check.round();
    state.kept.set('a0', { revision: 'r2', digest: 'd2', objects: [{ ...rendered('a0'), data: { mode: 'slow' } } as KubeObject], recordedAt: 't2' });
    Object.assign(state.statuses.get('a0')!, { revision: 'r2', manifestDigest: 'd2', lastSync: 't2' });
    await check.round();
    expect(enqueued.map((r) => `${r.app} ${r.revision} ${r.message}`)).toEqual(['a0 r2 drift: ConfigMap/cm-a0 changed']);
  });

  it('follows the objects of a revision synced again with other manifests (same revision, new digest and last sync)', async () => {
    await check.round();
    // The same commit rendered anew (other inline values) with a second object, applied and kept by a sync.
    const extra = { ...rendered('a0'), metadata: { name: 'cm-a0-extra' } } as KubeObject;
    await applyObjects({ target: h.target, app: { name: 'a0', namespace: ns, syncPolicy: { prune: true } }, objects: [rendered('a0'), extra] as KubernetesObject[] });
    state.kept.set('a0', { revision: 'r1', digest: 'd2', objects: [rendered('a0'), extra], recordedAt: 't2' });
    Object.assign(state.statuses.get('a0')!, { manifestDigest: 'd2', lastSync: 't2' });
    await check.round();
    expect(enqueued).toEqual([]);
    await patchLive('cm-a0-extra', { mode: 'slow' });
    await check.round();
    expect(enqueued.map((r) => `${r.app} ${r.revision} ${r.message}`)).toEqual(['a0 r1 drift: ConfigMap/cm-a0-extra changed']);
  });
});
