import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../controller/apps/parse-baton-yaml.js';
import { planApp } from '../../controller/plan/plan-app.js';
import { DiskTree, formatObjects } from '../../renderer/index.js';

const root = join(import.meta.dirname, '../..');
const tsx = import.meta.resolve('tsx');

function baton(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', tsx, join(root, 'controller/edges/cli/main.ts'), ...args], { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const batonYaml = `apps:
  - name: podinfo
    path: deploy/overlays/prod
    namespace: web
    kustomize: { images: ["ghcr.io/stefanprodan/podinfo:7.0.0"], namePrefix: eu- }
  - name: guestbook
    path: guestbook
  - name: broken
    path: chart
`;

let repo: string;
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'baton-render-app-'));
  await cp(join(root, 'test/fixtures/real-repos/kustomize'), join(repo, 'deploy'), { recursive: true });
  await cp(join(root, 'test/fixtures/real-repos/directory-app'), join(repo, 'guestbook'), { recursive: true });
  await cp(join(root, 'test/fixtures/real-repos/helm-chart'), join(repo, 'chart'), { recursive: true });
  await writeFile(join(repo, 'baton.yaml'), batonYaml);
});
afterAll(() => rm(repo, { recursive: true, force: true }));

describe('baton render --app NAME [REPO]', () => {
  it("prints the app's objects exactly as the controller's planner renders them", async () => {
    const r = await baton(['render', '--app', 'podinfo', repo], root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const app = parseBatonYaml(batonYaml, 'baton.yaml', 'x').apps.find((a) => a.name === 'podinfo')!;
    const tree = new DiskTree(repo);
    const plan = await planApp({ app, repo: { tree: () => tree, treeOid: async () => undefined }, commit: 'working-tree', chartsTree: new DiskTree(join(root, 'charts')) });
    expect(plan.action).toBe('render');
    expect(r.stdout).toBe(formatObjects(plan.action === 'render' ? plan.objects : [], 'yaml'));
    expect(r.stdout).toContain('name: eu-podinfo');
    expect(r.stdout).toContain('image: ghcr.io/stefanprodan/podinfo:7.0.0');
    expect(r.stdout).toContain('baton.dev/app: podinfo');
  });

  it('reads the directory app from REPO (default .) and reports a Helm chart or an unknown app as errors', async () => {
    const ok = await baton(['render', '--app', 'guestbook', '-o', 'json'], repo);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).items.map((o: { kind: string }) => o.kind)).toEqual(['ConfigMap', 'Service', 'Deployment']);
    const helm = await baton(['render', '--app', 'broken'], repo);
    expect(helm.code).toBe(1);
    expect(helm.stderr).toMatch(/^chart\/templates\/deployment\.yaml:4:9: a Helm chart/);
    const unknown = await baton(['render', '--app', 'nope', repo], root);
    expect(unknown.stderr).toContain('no app "nope"');
  });

  it('builds a Kustomize DIR too, reading its bases from --repo', async () => {
    const r = await baton(['render', 'deploy/overlays/staging', '--repo', '.', '-o', 'json'], repo);
    expect(r.stderr).toBe('');
    const items = JSON.parse(r.stdout).items as { kind: string; metadata: { namespace: string } }[];
    expect(items.map((o) => `${o.kind}/${o.metadata.namespace}`)).toEqual(['ConfigMap/podinfo-staging', 'Service/podinfo-staging', 'Deployment/podinfo-staging']);
  });
});
