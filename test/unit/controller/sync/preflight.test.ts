import { describe, expect, it } from 'vitest';
import { APP_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../../../controller/apps/track-objects.js';
import { sourceKey } from '../../../../controller/sync/ports/renderer-port.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { shortRevision } from '../../../../runtime/kube/revision.js';
import { appSpec, commitId, syncWorld } from '../../../support/fakes/sync-world.js';

const configMap = (name: string, namespace?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data: { name } });
const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gadget' } };
const ownedBy = (object: KubeObject, app: string): KubeObject => ({ ...object, metadata: { ...object.metadata, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_LABEL]: app } } });

/** catalog synced and healthy at `good`; `bad` pushed (rendering `extra` too), not synced. */
async function goodThenPushed(extra: KubeObject[], spec = appSpec('catalog')) {
  const w = syncWorld();
  const good = w.push('good', [spec]);
  await w.run('catalog');
  const bad = w.push('bad', [spec]);
  w.renderer.addObjects(bad, extra);
  w.cluster.calls.length = 0;
  return { w, good, bad };
}

describe('sync: preflight (dry-run and ownership before the first write)', () => {
  it('an object the cluster refuses in a dry run fails the revision with nothing applied: the app keeps its previous revision', async () => {
    const { w, good, bad } = await goodThenPushed([configMap('fresh'), widget]);
    w.cluster.refuse('Widget', 'gadget', 'the cluster does not serve example.com/v1 Widget');
    const before = structuredClone(w.cluster.get('Deployment', 'catalog', 'catalog'));
    const outcome = await w.run('catalog');
    const message = `${shortRevision(bad)} refused before anything was written; nothing was applied:\nWidget catalog/gadget is refused by the cluster: the cluster does not serve example.com/v1 Widget`;
    expect(outcome).toEqual({ result: 'Failed', revision: good, message });
    expect(w.cluster.calls).toEqual([`preflight ${bad} refused`]);
    expect(w.cluster.names()).toEqual(['ConfigMap/catalog-config', 'Deployment/catalog']);
    expect(w.cluster.get('Deployment', 'catalog', 'catalog')).toEqual(before);
    expect(w.state.status('catalog')).toMatchObject({ revision: good, syncStatus: 'OutOfSync', health: 'Degraded', message, lastFailedRevision: bad, observedRevision: bad });
    expect(w.state.history.get('catalog')![0]).toMatchObject({ revision: bad, result: 'Failed', message });
    expect((await w.state.getHealthyManifests('catalog'))?.revision).toBe(good);
  });

  it('names the file and line each refused object was rendered from, and every refusal at once', async () => {
    const { w, bad } = await goodThenPushed([configMap('bad-key'), widget]);
    w.cluster.refuse('Widget', 'gadget', 'the cluster does not serve example.com/v1 Widget');
    w.cluster.refuse('ConfigMap', 'bad-key', 'ConfigMap "bad-key" is invalid: data[a b]: Invalid value');
    const render = w.renderer.render.bind(w.renderer);
    w.renderer.render = async (app, repo, revision) => {
      const rendered = await render(app, repo, revision);
      if (!rendered.ok) return rendered;
      const sources = Object.fromEntries(rendered.objects.map((o, i) => [sourceKey({ ...o, metadata: { ...o.metadata, namespace: 'catalog' } }), { file: `apps/catalog/${o.metadata.name}.yaml`, line: i + 1 }]));
      return { ...rendered, sources };
    };
    const outcome = await w.run('catalog');
    expect(outcome.message).toContain(`${shortRevision(bad)} refused before anything was written; nothing was applied:`);
    expect(outcome.message).toContain('ConfigMap catalog/bad-key is refused by the cluster: ConfigMap "bad-key" is invalid: data[a b]: Invalid value (apps/catalog/bad-key.yaml:3)');
    expect(outcome.message).toContain('Widget catalog/gadget is refused by the cluster: the cluster does not serve example.com/v1 Widget (apps/catalog/gadget.yaml:4)');
  });

  it('an object another app owns is neither modified nor adopted: the app is Degraded and says who owns it', async () => {
    const { w, good, bad } = await goodThenPushed([configMap('shared')]);
    const theirs = ownedBy(configMap('shared', 'catalog'), 'cart');
    w.cluster.objects.set('ConfigMap/catalog/shared', structuredClone(theirs));
    const outcome = await w.run('catalog');
    expect(outcome).toMatchObject({ result: 'Failed', revision: good });
    expect(outcome.message).toContain('ConfigMap catalog/shared is owned by app cart');
    expect(w.cluster.get('ConfigMap', 'catalog', 'shared')).toEqual(theirs);
    expect(w.state.status('catalog')).toMatchObject({ health: 'Degraded', lastFailedRevision: bad });
    expect(w.state.history.get('catalog')![0]).toMatchObject({ result: 'Failed' });
  });

  it('an object baton does not manage is adopted, as Argo CD does', async () => {
    const { w } = await goodThenPushed([configMap('handmade')]);
    w.cluster.objects.set('ConfigMap/catalog/handmade', configMap('handmade', 'catalog'));
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Succeeded');
    expect(w.cluster.get('ConfigMap', 'catalog', 'handmade')?.metadata.labels?.[APP_LABEL]).toBe('catalog');
  });

  it("a prune never deletes an object whose live label names another app, even in the app's namespace", async () => {
    const { w } = await goodThenPushed([]);
    const theirs = ownedBy(configMap('cart-config', 'catalog'), 'cart');
    w.cluster.objects.set('ConfigMap/catalog/cart-config', structuredClone(theirs));
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Succeeded');
    expect(w.cluster.get('ConfigMap', 'catalog', 'cart-config')).toEqual(theirs);
  });

  it.each([
    ['a Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } }, 'Node worker-1 is off limits: Node is cluster-scoped'],
    ['a ClusterRole', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'admin-ish' } }, 'ClusterRole admin-ish is off limits: ClusterRole is cluster-scoped'],
    ['the kube-system Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } }, 'Namespace kube-system is off limits: namespace kube-system belongs to the cluster'],
    ['an object in kube-public', configMap('sneaky', 'kube-public'), 'ConfigMap kube-public/sneaky is off limits: namespace kube-public belongs to the cluster'],
    ["another team's Namespace", { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'billing' } }, 'Namespace billing is off limits: the app neither syncs into it nor puts any of its objects in it'],
  ])('%s is off limits unless the app sets allowClusterResources', async (_what, object, said) => {
    const { w } = await goodThenPushed([object as KubeObject]);
    const outcome = await w.run('catalog');
    expect(outcome.result).toBe('Failed');
    expect(outcome.message).toContain(said);
    expect(outcome.message).toContain('set allowClusterResources: true for the app in baton.yaml');
    expect(w.cluster.calls).not.toContain(expect.stringMatching(/^apply/));

    const allowed = await goodThenPushed([object as KubeObject], appSpec('catalog', { allowClusterResources: true }));
    expect((await allowed.w.run('catalog')).result).toBe('Succeeded');
  });

  it("the app's own namespaces stay allowed: the one it syncs into and those its objects live in", async () => {
    const { w } = await goodThenPushed([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'catalog' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'catalog-jobs' } },
      configMap('job-config', 'catalog-jobs'),
    ]);
    expect((await w.run('catalog')).result).toBe('Succeeded');
    expect(w.cluster.get('Namespace', undefined, 'catalog-jobs')).toBeDefined();
  });

  it("a Namespace another app created is that app's", async () => {
    const { w } = await goodThenPushed([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'catalog-jobs' } }, configMap('job-config', 'catalog-jobs')]);
    w.cluster.objects.set('Namespace//catalog-jobs', ownedBy({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'catalog-jobs' } }, 'jobs'));
    const outcome = await w.run('catalog');
    expect(outcome.message).toContain('Namespace catalog-jobs is owned by app jobs');
  });

  it('a named hook is dry-run before any hook runs; a generateName one is checked against the rules only', async () => {
    const hook = (metadata: KubeObject['metadata']): KubeObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { ...metadata, annotations: { 'argocd.argoproj.io/hook': 'PreSync' } } });
    const { w } = await goodThenPushed([hook({ name: 'migrate' }), hook({ generateName: 'seed-', namespace: 'kube-system' })]);
    w.cluster.refuse('Job', 'migrate', 'Job.batch "migrate" is invalid: spec.template: Required value');
    const outcome = await w.run('catalog');
    expect(outcome.message).toContain('Job catalog/migrate is refused by the cluster: Job.batch "migrate" is invalid: spec.template: Required value');
    expect(outcome.message).toContain('Job kube-system/seed-* is off limits: namespace kube-system belongs to the cluster');
    expect(w.cluster.calls.filter((c) => c.startsWith('hooks') || c.startsWith('apply'))).toEqual([]);
  });

  it("a preview gets the same rules, and its apps share the preview's namespace", async () => {
    const w = syncWorld();
    const previewed = (name: string) => appSpec(name, { preview: { enabled: true, values: {} } });
    w.push('main', [previewed('catalog'), previewed('cart')]);
    const head = commitId('feature');
    w.source.commit(head, [previewed('catalog'), previewed('cart')]);
    w.openPreview(7, head, ['catalog', 'cart']);
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pr-7' } };
    w.renderer.addObjects(head, [namespace, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } }]);
    w.cluster.objects.set('Namespace//pr-7', ownedBy(namespace, 'pr-7.cart'));
    const outcome = await w.run('pr-7.catalog');
    expect(outcome.result).toBe('Failed');
    expect(outcome.message).toContain('Node worker-1 is off limits');
    expect(outcome.message).not.toContain('Namespace pr-7');
  });
});
