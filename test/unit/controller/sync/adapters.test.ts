import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RepositorySpec } from '../../../../controller/apps/app-spec.js';
import type { PreviewStore } from '../../../../controller/previews/preview-store.js';
import { planApp } from '../../../../controller/plan/plan-app.js';
import { PlannedRenders } from '../../../../controller/plan/planned-renders.js';
import { planRenderer } from '../../../../controller/sync/adapters/plan-renderer.js';
import { registrySource } from '../../../../controller/sync/adapters/registry-source.js';
import { reconcileApp } from '../../../../controller/sync/reconcile-app.js';
import type { SourceCache } from '../../../../controller/sync/source-cache.js';
import type { RegisteredRepository } from '../../../../controller/state/sync-registry.js';
import { DiskTree, MemoryTree } from '../../../../renderer/index.js';
import { contentDigest } from '../../../../runtime/kube/canonical-json.js';
import { FakeCluster, FakeClusters } from '../../../support/fakes/fake-cluster.js';
import { FakeState } from '../../../support/fakes/fake-state.js';
import { ManualClock } from '../../../support/fakes/manual-clock.js';
import { commitId } from '../../../support/fakes/sync-world.js';

const chartsTree = new DiskTree(fileURLToPath(new URL('../../../../charts', import.meta.url)));
const spec: RepositorySpec = { id: 'shop', url: '/repos/shop', branch: 'main', intervalSeconds: 30 };

const BATON_YAML = `apps:
  - name: catalog
    path: apps/catalog
    preview: { enabled: true }
`;
const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  greeting: hello
`;

/** Repository mirrors as the adapters see them: commits as in-memory trees, refs by name. */
function mirrors(commits: Record<string, Record<string, string>>, refs: Record<string, string> = {}) {
  const source = {
    async resolveRef(ref: string) {
      const commit = refs[ref] ?? (ref in commits ? ref : undefined);
      if (!commit) throw new Error(`no ref ${ref}`);
      return commit;
    },
    tree: (commit: string) => new MemoryTree(commits[commit]),
    async treeOid(commit: string, path: string) {
      const below = Object.entries(commits[commit]).filter(([p]) => p === path || p.startsWith(`${path}/`));
      return below.length ? contentDigest(below) : undefined;
    },
  };
  return { get: () => source } as unknown as Pick<SourceCache, 'get'>;
}

function registry(head: string) {
  const repos = new Map<string, RegisteredRepository>([['shop', { spec, revision: head }]]);
  return { repositoryOf: async (app: string) => (app === 'catalog' ? 'shop' : undefined), repository: async (id: string) => repos.get(id) };
}

describe('the real source and renderer adapters', () => {
  const head = commitId('one');
  const commits = { [head]: { 'baton.yaml': BATON_YAML, 'apps/catalog/settings.yaml': CONFIGMAP } };

  it("registrySource reads an app's repository through the registry and baton.yaml through the mirror", async () => {
    const source = registrySource({ registry: registry(head), sources: mirrors(commits) });
    expect((await source.repositoryOf('catalog'))?.revision).toBe(head);
    expect(await source.repositoryOf('ghost')).toBeUndefined();
    expect(await source.preview(7)).toBeUndefined();
    const config = await source.appConfig(spec, head);
    expect(config.ok && config.apps.map((a) => a.name)).toEqual(['catalog']);
  });

  it('planRenderer answers render errors with file:line messages instead of throwing', async () => {
    const bad = commitId('bad');
    const sources = mirrors({ [bad]: { 'baton.yaml': BATON_YAML, 'apps/catalog/settings.yaml': 'kind: [' } });
    const config = await registrySource({ registry: registry(bad), sources }).appConfig(spec, bad);
    if (!config.ok) throw new Error(config.errors.join('\n'));
    const rendered = await planRenderer({ sources, chartsTree }).render(config.apps[0], spec, bad);
    expect(rendered.ok).toBe(false);
    expect(!rendered.ok && rendered.errors[0]).toMatch(/^apps\/catalog\/settings\.yaml:1:\d+: /);
  });

  it('a sync over the real source and renderer applies the rendered, tracked objects', async () => {
    const state = new FakeState();
    state.addApp('catalog');
    const cluster = new FakeCluster('local');
    const sources = mirrors(commits);
    const sync = reconcileApp({
      source: registrySource({ registry: registry(head), sources }),
      renderer: planRenderer({ sources, chartsTree }),
      clusters: new FakeClusters(cluster),
      state,
      clock: new ManualClock(),
      log: () => undefined,
      retryMs: 10,
    });
    const outcome = await sync({ app: 'catalog', revision: head, trigger: 'poll', seq: 1, requestedAt: '' }, { jobId: '1', attempt: 1, signal: new AbortController().signal });
    expect(outcome).toEqual({ result: 'Succeeded', revision: head });
    const live = cluster.get('ConfigMap', 'catalog', 'settings');
    expect(live?.metadata.labels).toMatchObject({ 'baton.dev/app': 'catalog', 'app.kubernetes.io/managed-by': 'baton' });
    expect(live?.metadata.annotations?.['baton.dev/revision']).toBe(head);
  });

  it("a preview synced over the real adapters lands in pr-N with the preview's namespace object", async () => {
    const state = new FakeState();
    state.addApp('pr-7.catalog', { origin: { kind: 'preview', number: 7, app: 'catalog' } });
    const cluster = new FakeCluster('local');
    const prHead = commitId('feature');
    const sources = mirrors({ ...commits, [prHead]: commits[head] }, { 'refs/pull/7/head': prHead });
    const previews = {
      get: async (n: number) =>
        n === 7 ? ({ number: 7, repository: 'shop', branch: 'feature', headFetchRef: 'refs/pull/7/head', headSha: prHead, apps: ['pr-7.catalog'] } as Awaited<ReturnType<PreviewStore['get']>>) : undefined,
    };
    const sync = reconcileApp({
      source: registrySource({ registry: registry(head), sources, previews }),
      renderer: planRenderer({ sources, chartsTree }),
      clusters: new FakeClusters(cluster),
      state,
      clock: new ManualClock(),
      log: () => undefined,
      retryMs: 10,
    });
    const outcome = await sync({ app: 'pr-7.catalog', revision: prHead, trigger: 'webhook', seq: 1, requestedAt: '' }, { jobId: '1', attempt: 1, signal: new AbortController().signal });
    expect(outcome).toEqual({ result: 'Succeeded', revision: prHead });
    expect(cluster.names()).toEqual(['ConfigMap/settings', 'Namespace/pr-7']);
    expect(cluster.get('ConfigMap', 'pr-7', 'settings')?.metadata.labels?.['baton.dev/app']).toBe('pr-7.catalog');
  });

  describe("planRenderer takes the plan's render instead of rendering again", () => {
    const next = commitId('two');
    const changed = { ...commits, [next]: { ...commits[head], 'apps/catalog/settings.yaml': CONFIGMAP.replace('hello', 'bonjour') } };

    async function plannedAt(sources: Pick<SourceCache, 'get'>, revision: string) {
      const config = await registrySource({ registry: registry(revision), sources }).appConfig(spec, revision);
      if (!config.ok) throw new Error(config.errors.join('\n'));
      const plan = await planApp({ app: config.apps[0], repo: sources.get(spec), commit: revision, chartsTree });
      if (plan.action !== 'render') throw new Error(plan.action);
      return { app: config.apps[0], plan };
    }

    it('when the plan is of the same revision and its inputs key still holds', async () => {
      const sources = mirrors(commits);
      const { app, plan } = await plannedAt(sources, head);
      const planned = new PlannedRenders();
      planned.put('catalog', { revision: head, inputsKey: plan.inputsKey, objects: plan.objects, digest: plan.digest });
      const rendered = await planRenderer({ sources, chartsTree, planned }).render(app, spec, head);
      expect(rendered.ok && rendered.objects[0]).toBe(plan.objects[0].object);
      expect(rendered.ok && rendered.digest).toBe(plan.digest);
      expect(rendered.ok && rendered.sources).toEqual({ 'ConfigMap/catalog/settings': { file: 'apps/catalog/settings.yaml', line: 1 } });
      expect(planned.size).toBe(0);
    });

    it('and renders when the inputs changed under the same key, the revision differs, or nothing was planned', async () => {
      const sources = mirrors(changed);
      const { plan: old } = await plannedAt(sources, head);
      const { app } = await plannedAt(sources, next);
      const greeting = (r: Awaited<ReturnType<ReturnType<typeof planRenderer>['render']>>) => (r.ok ? (r.objects[0] as { data?: Record<string, string> }).data?.greeting : undefined);
      // A key of another commit's inputs, handed over as this revision's, does not hold.
      const stale = new PlannedRenders();
      stale.put('catalog', { revision: next, inputsKey: old.inputsKey, objects: old.objects, digest: old.digest });
      expect(greeting(await planRenderer({ sources, chartsTree, planned: stale }).render(app, spec, next))).toBe('bonjour');
      const otherRevision = new PlannedRenders();
      otherRevision.put('catalog', { revision: head, inputsKey: old.inputsKey, objects: old.objects, digest: old.digest });
      expect(greeting(await planRenderer({ sources, chartsTree, planned: otherRevision }).render(app, spec, next))).toBe('bonjour');
      expect(greeting(await planRenderer({ sources, chartsTree, planned: new PlannedRenders() }).render(app, spec, next))).toBe('bonjour');
    });
  });
});
