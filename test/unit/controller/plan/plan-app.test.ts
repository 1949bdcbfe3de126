import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';
import type { AppSpec } from '../../../../controller/apps/app-spec.js';
import { APP_LABEL, DIGEST_ANNOTATION, MANAGED_BY_LABEL, REVISION_ANNOTATION } from '../../../../controller/apps/track-objects.js';
import { planApp, type AppPlan } from '../../../../controller/plan/plan-app.js';
import type { PlanSource } from '../../../../controller/plan/inputs-key.js';
import { DiskTree, MemoryTree, renderApp } from '../../../../renderer/index.js';
import { contentDigest } from '../../../../runtime/kube/canonical-json.js';

const chartsTree = new DiskTree(fileURLToPath(new URL('../../../../charts', import.meta.url)));

/** A repository whose commits are in-memory trees; ids are content digests, as Git's are. */
class FakeSource implements PlanSource {
  private readonly commits = new Map<string, Record<string, string>>();

  commit(sha: string, files: Record<string, string>): this {
    this.commits.set(sha, files);
    return this;
  }

  tree(commit: string): MemoryTree {
    return new MemoryTree(this.files(commit));
  }

  async treeOid(commit: string, path: string): Promise<string | undefined> {
    const files = this.files(commit);
    if (path in files) return contentDigest(files[path]);
    const below = Object.entries(files).filter(([p]) => path === '' || p.startsWith(`${path}/`));
    return below.length > 0 ? contentDigest(below) : undefined;
  }

  private files(commit: string): Record<string, string> {
    const f = this.commits.get(commit);
    if (!f) throw new Error(`no commit ${commit}`);
    return f;
  }
}

function countingRender() {
  const calls: string[] = [];
  const render: typeof renderApp = (input) => {
    calls.push(input.release.name);
    return renderApp(input);
  };
  return { calls, render };
}

const batonYaml = `apps:
  - name: users
    chart: web-service
    namespace: shop
    values: [services/users.yaml, env/users.yaml]
  - name: orders
    chart: web-service
    namespace: shop
    values: [env/orders.yaml]
    set: { replicas: 3 }
  - name: notes
    path: apps/notes
`;
const apps = parseBatonYaml(batonYaml, 'baton.yaml', 'repo').apps;
const app = (name: string) => apps.find((a) => a.name === name)!;

const files: Record<string, string> = {
  'baton.yaml': batonYaml,
  'README.md': 'the shop\n',
  'docs/deploy.md': 'how we deploy\n',
  'lib/server.mjs': 'export const v = 1;\n',
  'services/users.yaml': 'command: [node, /app/server.mjs]\nconfig:\n  mountPath: /app\n  files:\n    server.mjs: lib/server.mjs\n',
  'env/users.yaml': 'version: "1.0.0"\nreplicas: 1\n',
  'env/orders.yaml': 'version: "2.0.0"\ncommand: [node, server.mjs]\n',
  'apps/notes/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  a: "1"\n',
};

async function planAll(source: FakeSource, commit: string, render: typeof renderApp, previous: Map<string, AppPlan> = new Map()) {
  const out = new Map<string, AppPlan>();
  for (const a of apps) {
    const prev = previous.get(a.name);
    const plan = await planApp({
      app: a,
      repo: source,
      commit,
      chartsTree,
      render,
      previous: prev && { inputsKey: prev.inputsKey, digest: prev.action === 'render' ? prev.digest : undefined },
    });
    out.set(a.name, plan);
  }
  return out;
}

describe('planApp', () => {
  it('renders every app the first time, marking each object as baton\'s', async () => {
    const source = new FakeSource().commit('c1', files);
    const { calls, render } = countingRender();
    const plans = await planAll(source, 'c1', render);
    expect(calls.sort()).toEqual(['notes', 'orders', 'users']);
    const users = plans.get('users')!;
    expect(users.action).toBe('render');
    if (users.action !== 'render') return;
    expect(users.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['ConfigMap/users', 'Service/users', 'Deployment/users']);
    for (const o of users.objects) {
      expect(o.object.metadata.labels).toMatchObject({ [MANAGED_BY_LABEL]: 'baton', [APP_LABEL]: 'users' });
      expect(o.object.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: 'c1', [DIGEST_ANNOTATION]: o.digest });
    }
    const deployment = users.objects[2].object;
    expect(deployment.spec.selector.matchLabels[APP_LABEL]).toBeUndefined();
    expect(deployment.spec.replicas).toBe(1);
    const orders = plans.get('orders')!;
    expect(orders.action === 'render' && orders.objects.find((o) => o.object.kind === 'Deployment')!.object.spec.replicas).toBe(3);
  });

  it('skips without rendering when nothing an app reads changed', async () => {
    const source = new FakeSource().commit('c1', files).commit('c2', { ...files, 'README.md': 'the shop, now with docs\n', 'docs/deploy.md': 'how we deploy, v2\n', 'docs/more.md': 'more\n' });
    const first = countingRender();
    const plans = await planAll(source, 'c1', first.render);
    const second = countingRender();
    const again = await planAll(source, 'c2', second.render, plans);
    expect(second.calls).toEqual([]);
    for (const a of apps) expect(again.get(a.name)).toEqual({ action: 'skip', inputsKey: plans.get(a.name)!.inputsKey });
  });

  it('skips apps whose neighbours changed: a new directory beside an app, a new file on the way to a values file', async () => {
    const source = new FakeSource().commit('c1', files).commit('c2', { ...files, 'apps/other/cm.yaml': files['apps/notes/cm.yaml'], 'env/README.md': 'values\n', 'top.md': 'x\n' });
    const plans = await planAll(source, 'c1', countingRender().render);
    const { calls, render } = countingRender();
    await planAll(source, 'c2', render, plans);
    expect(calls).toEqual([]);
  });

  it('re-renders when a directory on the way to a file the chart read became a symlink', async () => {
    const { 'lib/server.mjs': _, ...rest } = files;
    const moved = { ...rest, 'lib2/server.mjs': 'export const v = 2;\n', lib: { symlink: 'lib2' } };
    const source = new FakeSource().commit('c1', files).commit('c2', moved as unknown as Record<string, string>);
    const plans = await planAll(source, 'c1', countingRender().render);
    const { calls, render } = countingRender();
    await planAll(source, 'c2', render, plans);
    expect(calls).toEqual(['users']);
  });

  it('re-renders only the app whose values file changed', async () => {
    const source = new FakeSource().commit('c1', files).commit('c2', { ...files, 'env/orders.yaml': 'version: "2.1.0"\ncommand: [node, server.mjs]\n' });
    const plans = await planAll(source, 'c1', countingRender().render);
    const { calls, render } = countingRender();
    const next = await planAll(source, 'c2', render, plans);
    expect(calls).toEqual(['orders']);
    const orders = next.get('orders')!;
    expect(orders.action === 'render' && orders.sameDigest).toBe(false);
  });

  it('re-renders when a file the chart read from the repository (Files.get) changed', async () => {
    const source = new FakeSource().commit('c1', files).commit('c2', { ...files, 'lib/server.mjs': 'export const v = 2;\n' });
    const plans = await planAll(source, 'c1', countingRender().render);
    const { calls, render } = countingRender();
    const next = await planAll(source, 'c2', render, plans);
    expect(calls).toEqual(['users']);
    const cm = (p: AppPlan) => (p.action === 'render' ? (p.objects.find((o) => o.object.kind === 'ConfigMap')!.object.data as Record<string, string>)['server.mjs'] : undefined);
    expect(cm(next.get('users')!)).toBe('export const v = 2;\n');
  });

  it('re-renders plain manifests when their directory changed', async () => {
    const source = new FakeSource().commit('c1', files).commit('c2', { ...files, 'apps/notes/cm.yaml': files['apps/notes/cm.yaml'].replace('"1"', '"2"') });
    const plans = await planAll(source, 'c1', countingRender().render);
    const { calls, render } = countingRender();
    await planAll(source, 'c2', render, plans);
    expect(calls).toEqual(['notes']);
  });

  it('reports the same digest when changed inputs render the same objects', async () => {
    const source = new FakeSource().commit('c1', files).commit('c2', { ...files, 'env/orders.yaml': `# a comment\n${files['env/orders.yaml']}` });
    const plans = await planAll(source, 'c1', countingRender().render);
    const next = await planAll(source, 'c2', countingRender().render, plans);
    const before = plans.get('orders')!;
    const after = next.get('orders')!;
    expect(after.action === 'render' && after.sameDigest).toBe(true);
    expect(after.action === 'render' && before.action === 'render' && after.digest === before.digest).toBe(true);
    expect(after.inputsKey).not.toBe(before.inputsKey);
  });

  it('is degraded, with file:line:col, when a values file breaks the chart', async () => {
    const source = new FakeSource().commit('c1', { ...files, 'env/users.yaml': 'version: "1.0.0"\nreplicas: many\n' });
    const plan = await planApp({ app: app('users'), repo: source, commit: 'c1', chartsTree });
    expect(plan.action).toBe('degraded');
    expect(plan.action === 'degraded' && plan.errors).toEqual([expect.stringMatching(/^env\/users\.yaml:2:11: values\.replicas /)]);
  });

  it('is degraded when a values file is missing, and renders once it is added', async () => {
    const { 'env/orders.yaml': _, ...without } = files;
    const source = new FakeSource().commit('c1', without).commit('c2', files);
    const plan = await planApp({ app: app('orders'), repo: source, commit: 'c1', chartsTree });
    expect(plan.action === 'degraded' && plan.errors).toEqual(['env/orders.yaml:1:1: values file "env/orders.yaml" not found in the repository']);
    const next = await planApp({ app: app('orders'), repo: source, commit: 'c2', chartsTree, previous: { inputsKey: plan.inputsKey } });
    expect(next.action).toBe('render');
  });

  it('points inline values errors at the app in baton.yaml', async () => {
    const bad: AppSpec = { ...app('orders'), set: { replicas: 'three' } };
    const plan = await planApp({ app: bad, repo: new FakeSource().commit('c1', files), commit: 'c1', chartsTree });
    expect(plan.action === 'degraded' && plan.errors).toEqual([expect.stringMatching(/^baton\.yaml:6:5: values\.replicas /)]);
  });

  it('is degraded when the app names a chart baton does not bundle', async () => {
    const plan = await planApp({ app: { ...app('orders'), chart: 'web-servce' }, repo: new FakeSource().commit('c1', files), commit: 'c1', chartsTree });
    expect(plan.action === 'degraded' && plan.errors).toEqual(['baton.yaml:6:5: no chart "web-servce" is bundled with baton (there are: web-service)']);
  });

  it('renders a preview with its values over the app\'s', async () => {
    const withPreview: AppSpec = { ...app('orders'), preview: { enabled: true, values: { replicas: 1 } } };
    const source = new FakeSource().commit('c1', files);
    const plan = await planApp({ app: withPreview, repo: source, commit: 'c1', chartsTree, preview: true });
    expect(plan.action === 'render' && plan.objects.find((o) => o.object.kind === 'Deployment')!.object.spec.replicas).toBe(1);
  });

  it("says what a preview left out of pr-N and why, naming a Secret but never holding its values", async () => {
    const leaky = `apiVersion: v1
kind: Secret
metadata: {name: payments-keys}
stringData: {token: hunter2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {run: web}}
  template:
    metadata: {labels: {run: web}}
    spec: {hostNetwork: true, containers: [{name: c, image: x}]}
`;
    const source = new FakeSource().commit('c1', { ...files, 'apps/notes/leaky.yaml': leaky });
    const instance = { app: 'notes', number: 7, branch: 'b', sha: 'c1', host: 'pr-7.notes.localhost' };
    const preview: AppSpec = { ...app('notes'), name: 'pr-7.notes', namespace: 'pr-7', instance };
    const plan = await planApp({ app: preview, repo: source, commit: 'c1', chartsTree });
    if (plan.action !== 'render') throw new Error(`expected a render, got ${plan.action}`);
    expect(plan.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`)).toEqual(['Namespace/pr-7', 'ConfigMap/notes']);
    expect(plan.dropped).toEqual([
      { kind: 'Secret', name: 'payments-keys', reason: 'a Secret reaches a preview only with the annotation baton.dev/preview: "true"' },
      { kind: 'Deployment', name: 'web', reason: "its pods use the host's network (hostNetwork), which a preview may not" },
    ]);
    expect(JSON.stringify(plan.dropped)).not.toContain('hunter2');
    // The same manifests on the followed branch keep everything: nothing is said.
    const production = await planApp({ app: app('notes'), repo: source, commit: 'c1', chartsTree });
    expect(production.action === 'render' && production.dropped).toBeUndefined();
  });
});
