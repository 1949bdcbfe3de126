import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from '../e2e/support/baton-process.js';
import { git } from '../support/git-http-server.js';
import { githubExample, sendGithub, type WebhookServer } from '../webhooks/webhook-harness.js';
import { waitFor } from '../support/wait.js';
import { startPreviewBaton, type PreviewBaton } from './support/preview-baton.js';

// A pull request's manifests are unreviewed code: its preview may run them in pr-N, but may not
// loosen what fences pr-N in. Here baton up follows a Git HTTP remote whose app `web` has previews;
// the request's head adds, beside the app's Deployment, what would widen the preview: a NetworkPolicy
// allowing everything (policies add up, so it would undo baton-preview-isolation), a RoleBinding
// giving the namespace's ServiceAccount cluster-admin's rules in pr-N (preview pods have no API
// rights), hand-written Endpoints (which could point the preview's Service, and so its URL, at a
// production pod: CVE-2021-25740) and a Deployment on the host's network (out of every
// NetworkPolicy's reach). A signed pull_request delivery opens the preview; none of those reach pr-N.
// Nor can the request's baton.yaml choose what its preview reaches: a second request sends web's
// preview to another cluster (a kubeconfig context, here "staging", naming the same runtime) and makes
// it depend on the production app `vault`, which web does not depend on; its preview stays on `local`,
// with no bridge to vault and no NetworkPolicy rule towards it. Last, request #5 of another repository
// (an organisation's hook sends every repository's) is closed: this repository's #5 keeps its preview;
// and request #77, never previewed, is closed: namespace pr-77, made by someone else, stays.

const SECRET = 'preview-confinement-secret';

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {run: ${name}}}
  template:
    metadata: {labels: {run: ${name}}}
    spec:
${extra}      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
`;

const WIDENING = {
  'web/policy.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-everything}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{}]
  egress: [{}]
`,
  'web/rbac.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: everything}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-is-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default}]
`,
  'web/direct.yaml': `apiVersion: v1
kind: Service
metadata: {name: direct}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: direct}
subsets: [{addresses: [{ip: 10.244.0.9}], ports: [{port: 80}]}]
`,
  'web/sniffer.yaml': deployment('sniffer', '      hostNetwork: true\n'),
};

const BATON_YAML = 'apps:\n  - name: web\n    path: web\n    namespace: shop\n    preview: { enabled: true }\n  - name: vault\n    path: vault\n    namespace: shop\n';

let up: PreviewBaton;

const tail = () => up.tail();

beforeAll(async () => {
  up = await startPreviewBaton({
    prefix: 'baton-preview-confinement-',
    prepare: async (work) => {
      await mkdir(join(work, 'web'), { recursive: true });
      await mkdir(join(work, 'vault'));
      await writeFile(join(work, 'baton.yaml'), BATON_YAML);
      await writeFile(join(work, 'web/deployment.yaml'), deployment('web'));
      await writeFile(join(work, 'vault/vault.yaml'), `${deployment('vault')}---\napiVersion: v1\nkind: Service\nmetadata: {name: vault}\nspec:\n  selector: {run: vault}\n  ports: [{port: 80}]\n`);
    },
    message: 'web',
    env: (dir) => ({ BATON_GITHUB_WEBHOOK_SECRET: SECRET, KUBECONFIG: join(dir, 'other-clusters') }),
  });
  // Context "staging": the same runtime under another name, so a preview sent there would be seen
  // (baton reads $KUBECONFIG's files when a cluster other than local is asked for, again when they change).
  const staging = parse(await readFile(up.kubeconfig, 'utf8'));
  staging.contexts[0].name = 'staging';
  staging['current-context'] = 'staging';
  await writeFile(join(up.dir, 'other-clusters'), stringify(staging), { mode: 0o600 });
  await up.waitApps('web and vault Healthy', (apps) => apps.filter((a) => a.health === 'Healthy').length === 2, 180_000);
}, 240_000);

afterAll(async () => {
  await up?.stop();
}, 180_000);

/** Sends GitHub's `opened` delivery for request `number` at `head`, and waits for its preview to be Healthy there. */
async function open(number: number, head: string, branch: string): Promise<void> {
  const payload = githubExample('pull_request', (p) => p.action === 'opened') as any;
  payload.number = number;
  payload.repository.clone_url = `${up.gitServer.url}/shop.git`;
  Object.assign(payload.pull_request, { number, labels: [] });
  Object.assign(payload.pull_request.head, { sha: head, ref: branch, repo: { ...payload.pull_request.base.repo } });
  expect((await sendGithub({ url: up.api } as WebhookServer, 'pull_request', payload, SECRET)).status).toBe(200);
  await waitFor(
    `the preview of #${number} Healthy at its head`,
    async () => (await up.previews()).some((p) => p.number === number && p.revision === head && p.health === 'Healthy'),
    { timeoutMs: 240_000, intervalMs: 250, describe: async () => `${JSON.stringify(await up.previews())}\n${tail()}` },
  );
}

describe("a pull request's manifests cannot widen its preview", () => {
  it('its NetworkPolicies, RBAC, Endpoints and host-network pods stay out of pr-N; the rest is previewed', { timeout: 300_000 }, async () => {
    await git(up.work, 'checkout', '-qb', 'widen');
    for (const [file, text] of Object.entries(WIDENING)) await writeFile(join(up.work, file), text);
    await git(up.work, 'add', '.');
    await git(up.work, 'commit', '-qm', 'widen the preview');
    const head = await git(up.work, 'rev-parse', 'HEAD');
    await git(up.work, 'push', '-q', 'origin', 'HEAD:refs/pull/5/head');

    await open(5, head, 'widen');
    const names = (resource: string) => kubectl(up.kubeconfig, 'get', resource, '-n', 'pr-5', '-o', 'jsonpath={.items[*].metadata.name}');
    expect.soft(await names('deployments')).toBe('web');
    expect.soft(await names('networkpolicies')).toBe('baton-preview-isolation');
    expect.soft(await names('rolebindings')).toBe('');
    expect.soft(await names('roles')).toBe('');
    expect.soft(await names('services')).toBe('direct');
    expect.soft(await names('endpoints')).not.toMatch(/direct/);
    // What was left out is said where the user looks: the preview app's message (baton app, baton previews, the dashboard).
    const app = (await (await fetch(`${up.api}/api/v1/apps/pr-5.web`, { headers: { authorization: `Bearer ${up.token}` } })).json()) as { message: string };
    const [count, ...lines] = app.message.split('\n');
    expect.soft(count).toBe('5 objects left out of the preview:');
    expect.soft(lines.sort()).toEqual([
      "Deployment sniffer: its pods use the host's network (hostNetwork), which a preview may not",
      expect.stringMatching(/^Endpoints direct: hand-written endpoints could point /),
      expect.stringMatching(/^NetworkPolicy allow-everything: .*policies add up$/),
      'Role everything: preview pods get no API rights',
      'RoleBinding default-is-admin: preview pods get no API rights',
    ]);
    // The namespace's ServiceAccount still may do nothing there.
    expect.soft(await kubectl(up.kubeconfig, 'auth', 'can-i', 'delete', 'networkpolicies', '-n', 'pr-5', '--as', 'system:serviceaccount:pr-5:default').catch((err: { stdout?: string }) => err.stdout ?? '')).toMatch(/^no/);
  });

  it("its baton.yaml cannot send the preview to another cluster, nor bridge it to production it does not depend on", { timeout: 300_000 }, async () => {
    await git(up.work, 'checkout', '-q', 'main');
    await git(up.work, 'checkout', '-qb', 'reach');
    await writeFile(join(up.work, 'baton.yaml'), BATON_YAML.replace('    preview: { enabled: true }\n', '    cluster: staging\n    dependsOn: [vault]\n    preview: { enabled: true }\n'));
    await git(up.work, 'commit', '-qam', 'reach further');
    const head = await git(up.work, 'rev-parse', 'HEAD');
    await git(up.work, 'push', '-q', 'origin', 'HEAD:refs/pull/6/head');
    await open(6, head, 'reach');

    const app = (await (await fetch(`${up.api}/api/v1/apps/pr-6.web`, { headers: { authorization: `Bearer ${up.token}` } })).json()) as { cluster: string };
    expect.soft(app.cluster).toBe('local');
    expect.soft(await kubectl(up.kubeconfig, 'get', 'services', '-n', 'pr-6', '-o', 'jsonpath={.items[*].metadata.name}')).not.toMatch(/vault/);
    expect.soft(await kubectl(up.kubeconfig, 'get', 'networkpolicy', 'baton-preview-isolation', '-n', 'pr-6', '-o', 'json')).not.toMatch(/vault|"shop"/);
  });

  it("another repository's request with the same number closing leaves the preview alone", { timeout: 120_000 }, async () => {
    const payload = githubExample('pull_request', (p) => p.action === 'closed') as any;
    payload.number = 5;
    payload.repository = { ...payload.repository, id: 424242, full_name: 'acme/other', clone_url: `${up.gitServer.url}/other.git` };
    Object.assign(payload.pull_request, { number: 5, merged: false, labels: [] });
    expect((await sendGithub({ url: up.api } as WebhookServer, 'pull_request', payload, SECRET)).status).toBe(200);
    await waitFor('the close handled', async () => /#5: (preview removed|a request #5 of \S+ was closed)/.test(up.baton.output()), { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    expect(up.baton.output()).not.toMatch(/#5: preview removed/);
    expect((await up.previews()).map((p) => p.number).sort()).toEqual([5, 6]);
  });

  it("a request closing deletes no namespace named pr-N that is not a preview's", { timeout: 120_000 }, async () => {
    await kubectl(up.kubeconfig, 'create', 'namespace', 'pr-77');
    await kubectl(up.kubeconfig, 'create', 'configmap', 'keep', '-n', 'pr-77', '--from-literal=a=b');
    const payload = githubExample('pull_request', (p) => p.action === 'closed') as any;
    payload.number = 77;
    payload.repository.clone_url = `${up.gitServer.url}/shop.git`;
    Object.assign(payload.pull_request, { number: 77, merged: false, labels: [] });
    expect((await sendGithub({ url: up.api } as WebhookServer, 'pull_request', payload, SECRET)).status).toBe(200);
    await waitFor('the close handled', async () => /#77: namespace pr-77 is not a preview/.test(up.baton.output()) || (await kubectl(up.kubeconfig, 'get', 'namespace', 'pr-77', '-o', 'jsonpath={.metadata.deletionTimestamp}').catch(() => 'gone')) !== '', {
      timeoutMs: 30_000,
      intervalMs: 250,
      describe: tail,
    });
    expect(await kubectl(up.kubeconfig, 'get', 'namespace', 'pr-77', '-o', 'jsonpath={.metadata.deletionTimestamp}')).toBe('');
    expect(await kubectl(up.kubeconfig, 'get', 'configmap', 'keep', '-n', 'pr-77', '-o', 'name')).toBe('configmap/keep');
  });
});
