import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, type ApplyApp } from '../../controller/apply/apply-objects.js';
import { readLiveObjects, withNamespace } from '../../controller/clusters/live-objects.js';
import { PatchStrategy } from '../../controller/clusters/kube-client.js';
import { diffObjects } from '../../controller/plan/diff/diff-objects.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startHarness, type Harness } from './apply-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const app: ApplyApp = { name: `drift${process.pid % 1000}`, namespace: `drift${process.pid % 1000}`, syncPolicy: { prune: true } };
const rendered = (): KubeObject[] =>
  [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'fast' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  ] as KubeObject[];

/** What a drift check does: the kept objects with the app's namespace, their live counterparts, the diff. */
async function driftOf(objects: KubeObject[]) {
  const desired = withNamespace(objects, app.namespace);
  const diff = diffObjects(desired, await readLiveObjects(h.target, desired), { app: app.name });
  return diff.objects.filter((o) => o.action !== 'unchanged').map((o) => ({ object: `${o.kind}/${o.name}`, action: o.action, paths: o.changes.map((c) => c.path) }));
}

const mergePatch = (name: string, patch: Record<string, unknown>) =>
  h.target.objects.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: app.namespace }, ...patch } as KubernetesObject, undefined, undefined, 'kubectl-edit', undefined, PatchStrategy.MergePatch);

describe('drift against the built-in runtime, read through the cluster target', () => {
  it('answers with the API server JSON: timestamps as text, not Dates', async () => {
    await applyObjects({ target: h.target, app, objects: rendered() as KubernetesObject[] });
    const live = await h.target.objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: app.namespace } });
    expect(typeof live.metadata?.creationTimestamp).toBe('string');
    expect(typeof live.metadata?.managedFields?.[0]?.time).toBe('string');
  });

  it('an applied app is in sync; a changed field and a deleted object are drift; a field only the live object has is not', async () => {
    expect(await driftOf(rendered())).toEqual([]);

    await mergePatch('settings', { data: { mode: 'fast', extra: 'added live' } });
    expect(await driftOf(rendered())).toEqual([]);

    await mergePatch('settings', { data: { mode: 'slow' } });
    expect(await driftOf(rendered())).toEqual([{ object: 'ConfigMap/settings', action: 'changed', paths: ['data.mode'] }]);

    await h.target.objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: app.namespace } });
    expect(await driftOf(rendered())).toEqual([{ object: 'ConfigMap/settings', action: 'added', paths: [] }]);

    const healed = await applyObjects({ target: h.target, app, objects: rendered() as KubernetesObject[] });
    expect(healed.map((r) => `${r.kind} ${r.name} ${r.action}`)).toEqual(['ConfigMap settings created', 'Service web unchanged']);
    expect(await driftOf(rendered())).toEqual([]);
  });
});
