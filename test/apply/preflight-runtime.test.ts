import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, planApplyPrune } from '../../controller/apply/apply-objects.js';
import { preflightObjects, type PreflightApp } from '../../controller/apply/preflight.js';
import { APP_LABEL, trackObject } from '../../controller/apps/track-objects.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startHarness, type Harness } from './apply-harness.js';

// Issue 15 points 5 and 6 against the built-in runtime's real API: discovery, a server-side
// apply dry-run and live labels, as the sync's preflight step asks them before the first write.

let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

function newApp(): PreflightApp {
  const name = `pf${process.pid % 1000}-${++seq}`;
  return { name, namespace: name, syncPolicy: { prune: true } };
}

const configMap = (app: PreflightApp, name: string, data: Record<string, string> = { name }, namespace = app.namespace): KubeObject =>
  trackObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data }, { app: app.name, revision: 'r1', digest: 'sha256:x' });
const k8s = (objects: KubeObject[]) => objects as unknown as KubernetesObject[];

async function names(namespace: string): Promise<string[]> {
  const list = await h.target.objects.list('v1', 'ConfigMap', namespace);
  return list.items.map((o) => o.metadata!.name!).sort();
}

describe('preflightObjects against the built-in runtime', () => {
  it('passes an app whose namespace does not exist yet, and writes nothing', async () => {
    const app = newApp();
    const refusals = await preflightObjects({ target: h.target, app, objects: [configMap(app, 'a'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: app.namespace } }] });
    expect(refusals).toEqual([]);
    expect(await names(app.namespace)).toEqual([]);
  });

  it('refuses a kind the cluster does not serve and an invalid object, every one at once, with what the cluster said', async () => {
    const app = newApp();
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gadget', namespace: app.namespace } };
    const badKey = configMap(app, 'bad-key', { 'not a key!': 'x' });
    const refusals = await preflightObjects({ target: h.target, app, objects: [configMap(app, 'good'), widget, badKey] });
    expect(refusals.map((r) => `${r.code} ${r.object.kind} ${r.problem}`)).toEqual([
      'refused Widget is refused: the cluster does not serve example.com/v1 Widget',
      expect.stringMatching(/^refused ConfigMap is refused by the cluster: .*not a key!/),
    ]);
    expect(await names(app.namespace)).toEqual([]);
  });

  it("refuses an object another app owns, adopts one baton does not manage, and another app's object is never pruned", async () => {
    const mine = newApp();
    const theirs = { ...newApp(), namespace: mine.namespace };
    await applyObjects({ target: h.target, app: theirs, objects: k8s([configMap(theirs, 'shared', { owner: 'theirs' })]) });
    await h.target.objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'handmade', namespace: mine.namespace }, data: {} } as KubernetesObject);

    const refusals = await preflightObjects({ target: h.target, app: mine, objects: [configMap(mine, 'shared', { owner: 'mine' }), configMap(mine, 'handmade')] });
    expect(refusals).toEqual([{ object: expect.objectContaining({ kind: 'ConfigMap', namespace: mine.namespace, name: 'shared' }), code: 'owned', owner: theirs.name, problem: `is owned by app ${theirs.name}` }]);

    // Pruning all of `mine` (it renders only `mine-own`) finds nothing of the other app's.
    await applyObjects({ target: h.target, app: mine, objects: k8s([configMap(mine, 'mine-own')]) });
    expect((await planApplyPrune({ target: h.target, app: mine, objects: [] })).prune.map((o) => o.name)).toEqual(['mine-own']);
    await applyObjects({ target: h.target, app: { ...mine, syncPolicy: { prune: true } }, objects: k8s([configMap(mine, 'other')]) });
    const shared = await h.target.objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: mine.namespace } });
    expect(shared.metadata?.labels?.[APP_LABEL]).toBe(theirs.name);
    expect((shared as KubernetesObject & { data: Record<string, string> }).data).toEqual({ owner: 'theirs' });
    expect(await names(mine.namespace)).toEqual(['handmade', 'other', 'shared']);
  });

  it('dry-runs a named hook only when none is live (it is created again, never applied over), and never a generateName one', async () => {
    const app = newApp();
    const job = (name: string, image: string, more: Record<string, unknown> = {}): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: app.namespace, annotations: { 'argocd.argoproj.io/hook': 'PreSync' }, ...more },
      // Suspended: the test needs the Job object, not its pod.
      spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] } } },
    } as KubeObject);
    await applyObjects({ target: h.target, app, objects: k8s([job('migrate', 'migrate:1')]) });
    const invalid = { ...job('broken', 'x:1'), spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'x', image: 'x:1' }] } } } } as KubeObject;
    const unnamed = job('', 'x:1', { name: undefined, generateName: 'seed-' });
    const refusals = await preflightObjects({ target: h.target, app, objects: [], hooks: [job('migrate', 'migrate:2'), invalid, unnamed] });
    expect(refusals.map((r) => `${r.object.name} ${r.code}`)).toEqual(['broken refused']);
  });

  it('refuses a Node and an object in kube-system unless the app allows cluster resources', async () => {
    const app = newApp();
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${app.name}` } };
    const system = configMap(app, 'sneaky', { a: 'b' }, 'kube-system');
    const refused = await preflightObjects({ target: h.target, app, objects: [node, system] });
    expect(refused.map((r) => `${r.code} ${r.object.kind}`)).toEqual(['off-limits Node', 'off-limits ConfigMap']);
    expect(await preflightObjects({ target: h.target, app: { ...app, allowClusterResources: true }, objects: [system] })).toEqual([]);
  });
});
