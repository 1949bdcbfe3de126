import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from '../e2e/support/baton-process.js';
import { request } from '../ingress/helpers.js';
import { git } from '../support/git-http-server.js';
import { githubExample, gitlabFixture, sendGithub, sendGitlab, type WebhookServer } from '../webhooks/webhook-harness.js';
import { waitFor } from '../support/wait.js';
import { examplesWith, startPreviewBaton, type PreviewBaton } from './support/preview-baton.js';

// baton up follows a Git HTTP remote holding three apps of the examples repository (pricing and
// inventory in production only; catalog with previews), polling only every 10 minutes: real
// GitHub payloads, signed as GitHub signs them, drive a push deploy and a pull request's preview
// from open to close. A local stand-in for GitHub's commit status API records what baton posts.

const SECRET = 'preview-e2e-secret';
const GITLAB_TOKEN = 'preview-e2e-gitlab-token';

const BATON_YAML = `apps:
  - name: pricing
    chart: web-service
    namespace: shop
    values: [services/shop.yaml, services/pricing/values.yaml, environments/prod/pricing.yaml]
    set: { replicas: 1 }
  - name: inventory
    chart: web-service
    namespace: shop
    values: [services/shop.yaml, services/inventory/values.yaml, environments/prod/inventory.yaml]
    set: { replicas: 1 }
  - name: catalog
    chart: web-service
    namespace: shop
    values: [services/shop.yaml, services/catalog/values.yaml, environments/prod/catalog.yaml]
    dependsOn: [pricing, inventory]
    preview: { enabled: true, values: { replicas: 1 } }
`;

interface PostedStatus {
  path: string;
  body: { state: string; context: string; target_url?: string; description?: string };
}

let up: PreviewBaton;
let work: string;
let githubApi: Server;
const statuses: PostedStatus[] = [];

const tail = () => up.tail();
const hooks = (): WebhookServer => ({ url: up.api }) as WebhookServer;

async function commit(file: string, text: string, message: string): Promise<string> {
  await writeFile(join(work, file), text);
  await git(work, 'commit', '-qam', message);
  return git(work, 'rev-parse', 'HEAD');
}

/** A real `pull_request` payload of GitHub's, pointed at the served repository. */
function pullRequest(action: string, number: number, head: { sha: string; ref: string }, options: { fork?: boolean; labels?: string[] } = {}) {
  const payload = githubExample('pull_request', (p) => p.action === action) as any;
  payload.number = number;
  payload.repository.clone_url = up.repoUrl;
  payload.repository.full_name = 'acme/shop';
  const pr = payload.pull_request;
  pr.number = number;
  pr.head.sha = head.sha;
  pr.head.ref = head.ref;
  pr.head.repo = options.fork ? { ...pr.base.repo, id: 999_999, full_name: 'mallory/shop' } : { ...pr.base.repo };
  pr.labels = (options.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false }));
  if (action === 'closed') pr.merged = false;
  return payload;
}

/** GitLab's documented Merge Request Hook payload, pointed at the served repository. */
function mergeRequest(action: string, iid: number, sha: string): string {
  const payload = JSON.parse(gitlabFixture('merge-request-hook'));
  const url = up.repoUrl;
  payload.project.git_http_url = url;
  payload.object_attributes.target.git_http_url = url;
  Object.assign(payload.object_attributes, { iid, action, source_branch: 'gitlab-change', last_commit: { ...payload.object_attributes.last_commit, id: sha } });
  return JSON.stringify(payload);
}

/** Processes of pods in `namespace`, found by the POD_NAMESPACE the kubelet gives them. */
async function podProcesses(namespace: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    if (environ.split('\0').includes(`POD_NAMESPACE=${namespace}`)) pids.push(Number(entry));
  }
  return pids;
}

beforeAll(async () => {
  githubApi = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && /^\/repos\/acme\/shop\/statuses\/[0-9a-f]{40}$/.test(req.url ?? '') && req.headers.authorization === 'Bearer gh-token') {
        statuses.push({ path: req.url!, body: JSON.parse(body) });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => githubApi.listen(0, '127.0.0.1', done));

  up = await startPreviewBaton({
    prefix: 'baton-previews-',
    prepare: examplesWith(BATON_YAML),
    message: 'shop: pricing, inventory, catalog',
    env: {
      BATON_GITHUB_WEBHOOK_SECRET: SECRET,
      BATON_GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
      BATON_GITHUB_TOKEN: 'gh-token',
      BATON_GITHUB_API_URL: `http://127.0.0.1:${(githubApi.address() as AddressInfo).port}`,
    },
  });
  work = up.work;
  await up.waitApps('pricing, inventory and catalog Healthy', (apps) => apps.length === 3 && apps.every((a) => a.health === 'Healthy' && a.syncStatus === 'Synced'));
}, 300_000);

afterAll(async () => {
  await up?.stop();
  await new Promise((done) => githubApi?.close(done));
}, 180_000);

describe('webhooks and pull request previews against baton up', () => {
  it('a signed push deploys at once, without waiting for the 10 minute poll', { timeout: 240_000 }, async () => {
    const sha = await commit('environments/prod/pricing.yaml', 'version: "3.0.1"\nreplicas: 1\n', 'pricing 3.0.1');
    await git(work, 'push', '-q', 'origin', 'main');
    const push = githubExample('push', (p) => typeof p.ref === 'string' && (p.ref as string).startsWith('refs/heads/')) as any;
    Object.assign(push, { ref: 'refs/heads/main', after: sha });
    push.repository.clone_url = up.repoUrl;
    push.repository.full_name = 'acme/shop';
    expect((await sendGithub(hooks(), 'push', push, SECRET)).status).toBe(200);
    await waitFor('pricing Synced at the pushed commit', async () => (await up.state.getApp('pricing'))?.revision === sha, { timeoutMs: 180_000, intervalMs: 250, describe: tail });
    // The commit status API heard about it, linking to the dashboard.
    await waitFor('a success status for the push', async () => statuses.some((s) => s.path.endsWith(sha) && s.body.state === 'success' && s.body.context === 'baton/pricing'), { timeoutMs: 60_000, intervalMs: 250, describe: () => JSON.stringify(statuses) });
  });

  let previewSha: string;

  it('a pull request opened gets a preview in pr-7, reachable through the ingress at pr-7.catalog.localhost', { timeout: 300_000 }, async () => {
    await git(work, 'checkout', '-qb', 'cheaper-tea');
    previewSha = await commit('environments/prod/catalog.yaml', 'version: "1.5.0-pr"\nreplicas: 2\ningress:\n  host: catalog.localhost\n', 'catalog 1.5.0-pr');
    await git(work, 'push', '-q', 'origin', 'HEAD:refs/pull/7/head');
    const res = await sendGithub(hooks(), 'pull_request', pullRequest('opened', 7, { sha: previewSha, ref: 'cheaper-tea' }), SECRET);
    expect(res.status).toBe(200);

    const [preview] = await waitFor(
      'the preview of catalog Healthy',
      async () => {
        const list = await up.previews();
        return list.length === 1 && list[0].health === 'Healthy' && list[0].revision === previewSha && list;
      },
      { timeoutMs: 240_000, intervalMs: 250, describe: async () => `${JSON.stringify(await up.previews())}\n${tail()}` },
    );
    expect(preview).toMatchObject({ name: 'pr-7.catalog', app: 'catalog', number: 7, namespace: 'pr-7', branch: 'cheaper-tea', headSha: previewSha });
    expect(preview.url).toBe(`http://pr-7.catalog.localhost:${up.ingressPort}/`);

    const version = await request(up.ingressPort, 'pr-7.catalog.localhost', '/version');
    expect(version.status, version.body).toBe(200);
    expect(JSON.parse(version.body).version).toBe('1.5.0-pr');
    // Production is untouched, and the preview reaches production's pricing through its bridge.
    expect(JSON.parse((await request(up.ingressPort, 'catalog.localhost', '/version')).body).version).toBe('1.4.2');
    const products = await request(up.ingressPort, 'pr-7.catalog.localhost', '/products');
    expect(products.status, products.body).toBe(200);
    expect(JSON.parse(products.body).products[0].price).not.toBeNull();
    // The preview's apps are not production apps.
    const apps = (await (await fetch(`${up.api}/api/v1/apps`, { headers: { authorization: `Bearer ${up.token}` } })).json()) as Array<{ name: string }>;
    expect(apps.map((a) => a.name).sort()).toEqual(['catalog', 'inventory', 'pricing']);
    expect(await kubectl(up.kubeconfig, 'get', 'deployments', '-n', 'pr-7', '-o', 'jsonpath={.items[*].spec.replicas}')).toBe('1');
    await waitFor(
      'a success status linking to the preview',
      async () => statuses.some((s) => s.path.endsWith(previewSha) && s.body.state === 'success' && s.body.target_url === preview.url),
      { timeoutMs: 60_000, intervalMs: 250, describe: () => JSON.stringify(statuses) },
    );
  });

  it('synchronize updates the preview to the new head', { timeout: 300_000 }, async () => {
    const next = await commit('environments/prod/catalog.yaml', 'version: "1.5.1-pr"\nreplicas: 2\ningress:\n  host: catalog.localhost\n', 'catalog 1.5.1-pr');
    await git(work, 'push', '-qf', 'origin', 'HEAD:refs/pull/7/head');
    expect((await sendGithub(hooks(), 'pull_request', pullRequest('synchronize', 7, { sha: next, ref: 'cheaper-tea' }), SECRET)).status).toBe(200);
    await waitFor(
      'pr-7.catalog.localhost answering 1.5.1-pr',
      async () => {
        const res = await request(up.ingressPort, 'pr-7.catalog.localhost', '/version');
        return res.status === 200 && JSON.parse(res.body).version === '1.5.1-pr';
      },
      { timeoutMs: 240_000, intervalMs: 250, describe: tail },
    );
  });

  it('a request from a fork is not deployed without the label, and is once a maintainer adds it', { timeout: 300_000 }, async () => {
    await git(work, 'push', '-q', 'origin', `${previewSha}:refs/pull/8/head`);
    const opened = await sendGithub(hooks(), 'pull_request', pullRequest('opened', 8, { sha: previewSha, ref: 'fork-branch' }, { fork: true }), SECRET);
    expect(opened.status).toBe(200);
    await waitFor('the fork refused in the log', async () => /#8: comes from a fork/.test(up.baton.output()), { timeoutMs: 30_000, intervalMs: 250, describe: tail });
    expect((await up.previews()).map((p) => p.number)).toEqual([7]);
    expect(await kubectl(up.kubeconfig, 'get', 'namespaces', '-o', 'name')).not.toMatch(/namespace\/pr-8/);

    const labeled = await sendGithub(hooks(), 'pull_request', pullRequest('labeled', 8, { sha: previewSha, ref: 'fork-branch' }, { fork: true, labels: ['preview'] }), SECRET);
    expect(labeled.status).toBe(200);
    await waitFor(
      'the fork preview Healthy',
      async () => (await up.previews()).some((p) => p.number === 8 && p.health === 'Healthy'),
      { timeoutMs: 240_000, intervalMs: 250, describe: async () => `${JSON.stringify(await up.previews())}\n${tail()}` },
    );
  });

  it('a GitLab merge request (its documented hook payload) gets a preview, and closing it removes it', { timeout: 300_000 }, async () => {
    await git(work, 'push', '-q', 'origin', `${previewSha}:refs/merge-requests/9/head`);
    expect((await sendGitlab(hooks(), 'Merge Request Hook', mergeRequest('open', 9, previewSha), GITLAB_TOKEN)).status).toBe(200);
    await waitFor(
      'pr-9.catalog.localhost answering',
      async () => {
        const res = await request(up.ingressPort, 'pr-9.catalog.localhost', '/version');
        return res.status === 200 && JSON.parse(res.body).version === '1.5.0-pr';
      },
      { timeoutMs: 240_000, intervalMs: 250, describe: tail },
    );
    expect((await sendGitlab(hooks(), 'Merge Request Hook', mergeRequest('close', 9, previewSha), GITLAB_TOKEN)).status).toBe(200);
    await waitFor('pr-9 gone', async () => !(await up.previews()).some((p) => p.number === 9) && !/namespace\/pr-9/.test(await kubectl(up.kubeconfig, 'get', 'namespaces', '-o', 'name')), { timeoutMs: 180_000, intervalMs: 250, describe: tail });
  });

  it('closed removes the namespace and every pod process of the preview', { timeout: 300_000 }, async () => {
    expect((await podProcesses('pr-7')).length).toBeGreaterThan(0);
    for (const number of [7, 8]) {
      const res = await sendGithub(hooks(), 'pull_request', pullRequest('closed', number, { sha: previewSha, ref: 'cheaper-tea' }), SECRET);
      expect(res.status).toBe(200);
    }
    await waitFor('no previews listed', async () => (await up.previews()).length === 0, { timeoutMs: 30_000, intervalMs: 250, describe: tail });
    await waitFor(
      'namespaces pr-7 and pr-8 gone',
      async () => !/namespace\/pr-[78]/.test(await kubectl(up.kubeconfig, 'get', 'namespaces', '-o', 'name')),
      { timeoutMs: 180_000, intervalMs: 250, describe: tail },
    );
    await waitFor('no pod processes of pr-7 or pr-8', async () => (await podProcesses('pr-7')).length + (await podProcesses('pr-8')).length === 0, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    const res = await request(up.ingressPort, 'pr-7.catalog.localhost', '/version');
    expect(res.status).toBe(404);
    // Production kept running throughout.
    expect((await up.state.listApps()).every((a) => a.health === 'Healthy')).toBe(true);
  });
});
