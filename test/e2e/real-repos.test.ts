import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { waitFor } from '../support/wait.js';
import { describeApps, kubectl, startBaton, stateOf, type BatonProcess } from './support/baton-process.js';

// `baton up` on a repository laid out as real GitOps repositories are: a Kustomize base with an
// overlay and a component, a Go-template Helm chart, a chart of dependencies only, and a directory
// of manifests with a README, a Makefile, a script and a picture beside them.
const run = promisify(execFile);
const FIXTURES = join(import.meta.dirname, '../fixtures/real-repos');
const git = (cwd: string, ...args: string[]) => run('git', args, { cwd });

const files: Record<string, string> = {
  'baton.yaml': `apps:
  - name: podinfo
    path: deploy/overlays/prod
    namespace: real-kustomize
    kustomize: { images: ["podinfo=podinfo:7.0.0"], namePrefix: eu- }
  - name: guestbook
    path: guestbook
    namespace: real-directory
  - name: podinfo-chart
    path: charts/podinfo
    namespace: real-helm
  - name: umbrella
    path: charts/umbrella
    namespace: real-umbrella
`,
  'deploy/base/kustomization.yaml': 'resources: [deployment.yaml]\nconfigMapGenerator:\n  - name: podinfo-config\n    literals: [GREETING=hello]\n',
  'deploy/base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: podinfo }
spec:
  replicas: 1
  selector: { matchLabels: { app: podinfo } }
  template:
    metadata: { labels: { app: podinfo } }
    spec:
      containers:
        - name: podinfo
          image: podinfo:6.5.0
          command: [${JSON.stringify(process.execPath)}, -e, "setInterval(() => {}, 1 << 30)"]
          envFrom: [{ configMapRef: { name: podinfo-config } }]
`,
  'deploy/overlays/prod/kustomization.yaml': 'resources: [../../base]\ncomponents: [../../components/tier]\npatches:\n  - path: replicas.yaml\n',
  'deploy/components/tier/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs: { tier: web }\n',
  'deploy/overlays/prod/replicas.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: podinfo }\nspec: { replicas: 2 }\n',
  'deploy/overlays/prod/README.md': '# prod\n',
  'guestbook/config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: guestbook }\ndata: { GREETING: hello }\n',
  'guestbook/settings.json': '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "guestbook-settings"}, "data": {"mode": "demo"}}\n',
  'guestbook/README.md': '# guestbook\n\nRun `make apply`.\n',
  'guestbook/Makefile': 'apply:\n\tkubectl apply -f .\n',
  'guestbook/deploy.sh': '#!/bin/sh\nkubectl apply -f .\n',
  'guestbook/diagram.png': '\x89PNG\r\n\x1a\n',
};

let dir: string;
let baton: BatonProcess;
let state: StateStore;
let kubeconfig: string;

beforeAll(async () => {
  // Short: the Redis socket path must stay under 108 bytes.
  dir = await mkdtemp('/tmp/baton-real-');
  const work = join(dir, 'repo');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(work, path, '..'), { recursive: true });
    await writeFile(join(work, path), content);
  }
  // A Go-template Helm chart and a chart that only lists dependencies, as public repositories hold them.
  await cp(join(FIXTURES, 'helm-chart'), join(work, 'charts/podinfo'), { recursive: true });
  await cp(join(FIXTURES, 'umbrella-chart'), join(work, 'charts/umbrella'), { recursive: true });
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '.');
  await git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'real layouts');
  baton = startBaton(['up', '--default-runtime-class', 'process', '--repo', work, '--state-dir', join(dir, 'state'), '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods']);
  kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/, 180_000);
  state = stateOf(join(dir, 'state'));
}, 240_000);

afterAll(async () => {
  await state?.close();
  await baton?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 180_000);

const SYNCING = ['podinfo', 'guestbook'];

describe('baton up on real repository layouts', () => {
  it('syncs a Kustomize overlay (with baton.yaml kustomize: options) and a directory with a README beside its manifests', { timeout: 300_000 }, async () => {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const apps = (await state.listApps()).filter((a) => SYNCING.includes(a.name));
      if (apps.length === 2 && apps.every((a) => a.syncStatus === 'Synced' && a.health === 'Healthy')) break;
      if (Date.now() > deadline) throw new Error(`apps did not become Synced/Healthy:\n${describeApps(apps)}\n${baton.output().split('\n').slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const deploy = JSON.parse(await kubectl(kubeconfig, 'get', 'deployment', 'eu-podinfo', '-n', 'real-kustomize', '-o', 'json'));
    expect(deploy.spec.replicas).toBe(2);
    expect(deploy.metadata.labels.tier).toBe('web');
    expect(deploy.spec.template.spec.containers[0].image).toBe('podinfo:7.0.0');
    const configMap = deploy.spec.template.spec.containers[0].envFrom[0].configMapRef.name;
    expect(configMap).toMatch(/^eu-podinfo-config-/);
    expect(await kubectl(kubeconfig, 'get', 'configmap', configMap, '-n', 'real-kustomize', '-o', 'jsonpath={.data.GREETING}')).toBe('hello');
    expect((await kubectl(kubeconfig, 'get', 'configmaps', '-n', 'real-directory', '-l', 'baton.dev/app=guestbook', '-o', 'name')).split('\n').sort()).toEqual([
      'configmap/guestbook',
      'configmap/guestbook-settings',
    ]);
  });

  it('refuses a Go-template Helm chart and a chart that renders nothing, each with one clear message and nothing applied', { timeout: 300_000 }, async () => {
    const [chart, umbrella] = await Promise.all(['podinfo-chart', 'umbrella'].map((name) => waitFor(`${name} refused`, async () => {
      const s = await state.getApp(name);
      return s?.health === 'Degraded' && s;
    }, { timeoutMs: 120_000, intervalMs: 500, describe: async () => describeApps(await state.listApps()) })));
    expect(chart!.message).toMatch(/does not render; nothing was applied/);
    expect(chart!.message).toMatch(/charts\/podinfo\/templates\/deployment\.yaml:\d+:\d+: a Helm chart \(Go template syntax/);
    expect(chart!.message).toContain('helm template');
    expect(umbrella!.message).toMatch(/does not render; nothing was applied/);
    expect(umbrella!.message).toContain('charts/umbrella/Chart.yaml');
    expect(umbrella!.syncStatus).not.toBe('Synced');
    for (const ns of ['real-helm', 'real-umbrella']) {
      expect(await kubectl(kubeconfig, 'get', 'all,configmaps', '-n', ns, '-l', 'app.kubernetes.io/managed-by=baton', '-o', 'name')).toBe('');
    }
  });
});
