import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../ingress/helpers.js';
import { git } from '../support/git-http-server.js';
import { githubExample, sendGithub, type WebhookServer } from '../webhooks/webhook-harness.js';
import { waitFor } from '../support/wait.js';
import { examplesWith, startPreviewBaton, type PreviewBaton } from './support/preview-baton.js';

// A maintainer's label on a fork's pull request approves the head it was added at, against a real
// `baton up`: real GitHub payloads (labeled, synchronize, unlabeled), signed with the secret. The
// fork pushes again after the label: its new head is not deployed until the label is removed and
// added again.

const SECRET = 'approval-e2e-secret';
const NUMBER = 21;

const BATON_YAML = `apps:
  - name: catalog
    chart: web-service
    namespace: shop
    values: [services/shop.yaml, services/catalog/values.yaml, environments/prod/catalog.yaml]
    set: { replicas: 1 }
    preview: { enabled: true, values: { replicas: 1 } }
`;

let up: PreviewBaton;
let work: string;

const tail = () => up.tail();
const hooks = (): WebhookServer => ({ url: up.api }) as WebhookServer;

/** A commit of the fork's branch with catalog at `version`, pushed where GitHub keeps the request's head. */
async function forkPush(version: string): Promise<string> {
  await writeFile(join(work, 'environments/prod/catalog.yaml'), `version: "${version}"\nreplicas: 1\ningress:\n  host: catalog.localhost\n`);
  await git(work, 'commit', '-qam', `catalog ${version}`);
  await git(work, 'push', '-qf', 'origin', `HEAD:refs/pull/${NUMBER}/head`);
  return git(work, 'rev-parse', 'HEAD');
}

/** A real `pull_request` payload of GitHub's for a fork's request, pointed at the served repository. */
function fromFork(action: 'opened' | 'labeled' | 'unlabeled' | 'synchronize', sha: string, labels: string[]) {
  const payload = githubExample('pull_request', (p) => p.action === action) as any;
  payload.number = NUMBER;
  payload.repository.clone_url = up.repoUrl;
  payload.repository.full_name = 'acme/shop';
  const pr = payload.pull_request;
  pr.number = NUMBER;
  pr.head.sha = sha;
  pr.head.ref = 'fork-branch';
  pr.head.repo = { ...pr.base.repo, id: 999_999, full_name: 'mallory/shop' };
  pr.author_association = 'FIRST_TIME_CONTRIBUTOR';
  pr.labels = labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false }));
  if (action === 'labeled' || action === 'unlabeled') payload.label = { ...payload.label, name: 'preview' };
  return payload;
}

async function send(action: 'opened' | 'labeled' | 'unlabeled' | 'synchronize', sha: string, labels: string[]): Promise<void> {
  expect((await sendGithub(hooks(), 'pull_request', fromFork(action, sha, labels), SECRET)).status).toBe(200);
}

async function preview(): Promise<any> {
  return (await up.previews()).find((p) => p.number === NUMBER);
}

async function answers(version: string): Promise<boolean> {
  const res = await request(up.ingressPort, `pr-${NUMBER}.catalog.localhost`, '/version');
  return res.status === 200 && JSON.parse(res.body).version === version;
}

/** The messages of baton's log lines (pino JSON) after `from` characters of output. */
const messages = (from: number): string[] =>
  up.baton
    .output()
    .slice(from)
    .split('\n')
    .flatMap((line) => {
      try {
        return [String((JSON.parse(line) as { msg?: unknown }).msg ?? '')];
      } catch {
        return [];
      }
    });

/** Waits for the log line of the request's decision that comes after `from` characters of output. */
const decided = (from: number, line: RegExp) =>
  waitFor(`a log line ${line.source}`, async () => messages(from).some((m) => line.test(m)), { timeoutMs: 30_000, intervalMs: 100, describe: tail });

beforeAll(async () => {
  up = await startPreviewBaton({
    prefix: 'baton-approval-',
    prepare: examplesWith(BATON_YAML),
    message: 'shop: catalog',
    env: { BATON_GITHUB_WEBHOOK_SECRET: SECRET },
  });
  work = up.work;
  await up.waitApps('catalog Healthy', (apps) => apps.find((a) => a.name === 'catalog')?.health === 'Healthy');
  await git(work, 'checkout', '-qb', 'fork-branch');
}, 300_000);

afterAll(async () => {
  await up?.stop();
}, 180_000);

describe("a maintainer's label approves the fork's head it was added at", () => {
  let a: string;
  let b: string;

  it('labeled at head A deploys A', { timeout: 300_000 }, async () => {
    a = await forkPush('1.6.0-a');
    let from = up.baton.output().length;
    await send('opened', a, []);
    await decided(from, /#21: comes from a fork: not deployed until a maintainer adds the label "preview"/);
    from = up.baton.output().length;
    await send('labeled', a, ['preview']);
    await waitFor('pr-21.catalog.localhost answering 1.6.0-a', () => answers('1.6.0-a'), { timeoutMs: 240_000, intervalMs: 250, describe: tail });
    await waitFor('the preview synced at A', async () => (await preview())?.revision === a, { timeoutMs: 120_000, intervalMs: 250, describe: async () => `${JSON.stringify(await preview())}\n${tail()}` });
    expect(await preview()).toMatchObject({ headSha: a, revision: a });
  });

  it('a push B after the label (synchronize) is not deployed: the preview keeps running A, and the decision says why', { timeout: 120_000 }, async () => {
    b = await forkPush('1.6.0-b');
    const from = up.baton.output().length;
    await send('synchronize', b, ['preview']);
    await decided(from, new RegExp(`#21: new commits since the label "preview" was added at ${a.slice(0, 7)}: not deployed until a maintainer adds the label again.*the preview keeps running ${a.slice(0, 7)}`));
    expect(await preview()).toMatchObject({ headSha: a, revision: a });
    expect(await answers('1.6.0-a')).toBe(true);
  });

  it('removing the label leaves the preview running A; adding it again at B deploys B', { timeout: 300_000 }, async () => {
    let from = up.baton.output().length;
    await send('unlabeled', b, []);
    await decided(from, new RegExp(`#21: comes from a fork: not deployed until a maintainer adds the label "preview".*; the preview keeps running ${a.slice(0, 7)}`));
    expect(await answers('1.6.0-a')).toBe(true);
    from = up.baton.output().length;
    await send('labeled', b, ['preview']);
    await waitFor('pr-21.catalog.localhost answering 1.6.0-b', () => answers('1.6.0-b'), { timeoutMs: 240_000, intervalMs: 250, describe: tail });
    await waitFor('the preview synced at B', async () => (await preview())?.revision === b, { timeoutMs: 120_000, intervalMs: 250, describe: async () => `${JSON.stringify(await preview())}\n${tail()}` });
    expect(await preview()).toMatchObject({ headSha: b, revision: b });
    expect(messages(from)).toContainEqual(expect.stringMatching(new RegExp(`^#21: preview of catalog at ${b.slice(0, 7)} queued`)));
  });
});
